package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code callback.deliver}: POSTs the payload (an event body with its {@code id}) to the API,
 * signed, with the event id as {@code webhook-id} on every attempt.
 *
 * <ul>
 *   <li>2xx: delivered (the API answers 2xx for refused events too, so they are not retried);
 *   <li>a {@code Retry-After} on a retryable answer: snoozed that long (capped), no attempt spent;
 *   <li>408, 429, 5xx, a timeout or an I/O error: retried with the queue's backoff;
 *   <li>any other answer (4xx, or a 3xx: redirects are not followed): discarded now, since
 *       resending the same body cannot succeed.
 * </ul>
 */
class DeliverCallbackHandler implements JobHandler {

  static final Duration MAX_SNOOZE = Duration.ofHours(1);

  private final CallbackSender sender;
  private final JsonMapper json;
  private final InstantSource clock;

  DeliverCallbackHandler(CallbackSender sender, JsonMapper json, InstantSource clock) {
    this.sender = sender;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return ReportEvents.DELIVER_KIND;
  }

  @Override
  public void handle(JobContext ctx) throws Exception {
    byte[] body = ctx.payload().getBytes(StandardCharsets.UTF_8);
    JsonNode event;
    try {
      event = json.readTree(body);
    } catch (RuntimeException e) {
      throw JobFailure.permanent("callback payload is not JSON", e);
    }
    JsonNode id = event.get("id");
    if (id == null || !id.isString() || id.asString().isBlank()) {
      throw JobFailure.permanent("callback payload has no event id");
    }
    HttpResponse<String> response;
    try {
      response = sender.send(id.asString(), body);
    } catch (HttpTimeoutException e) {
      throw new CallbackDeliveryException("no answer from " + sender.endpoint() + " in time", e);
    } catch (java.io.IOException e) {
      throw new CallbackDeliveryException("could not reach " + sender.endpoint(), e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return;
    }
    if (status == 408 || status == 429 || status >= 500) {
      Optional<Duration> retryAfter =
          response.headers().firstValue("Retry-After").map(this::parseRetryAfter);
      if (retryAfter.isPresent()) {
        throw JobFailure.snooze(retryAfter.get());
      }
      throw new CallbackDeliveryException(
          sender.endpoint() + " answered " + status + ": " + abbreviate(response.body()), null);
    }
    throw JobFailure.permanent(
        sender.endpoint()
            + " refused the event with "
            + status
            + ": "
            + abbreviate(response.body()));
  }

  /** {@code Retry-After}: delay-seconds or an HTTP date; unparseable means a short wait. */
  Duration parseRetryAfter(String value) {
    Duration delay;
    try {
      delay = Duration.ofSeconds(Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      try {
        Instant at =
            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        delay = Duration.between(clock.instant(), at);
      } catch (DateTimeParseException e2) {
        delay = Duration.ofSeconds(1);
      }
    }
    if (delay.isNegative()) {
      return Duration.ZERO;
    }
    return delay.compareTo(MAX_SNOOZE) > 0 ? MAX_SNOOZE : delay;
  }

  private static String abbreviate(@Nullable String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= 300 ? body : body.substring(0, 300) + "…";
  }

  /** A delivery that may succeed later: retried with backoff. */
  static final class CallbackDeliveryException extends RuntimeException {
    CallbackDeliveryException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
