package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobFailure;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a receiver's answer maps to the delivery job's outcome, for callbacks to the API ({@link
 * CallbackSender}) and client webhooks ({@link WebhookSender}):
 *
 * <ul>
 *   <li>2xx: delivered;
 *   <li>a {@code Retry-After} on a retryable answer: {@link JobFailure#snooze}, capped at {@link
 *       #MAX_SNOOZE};
 *   <li>408, 429, 5xx: {@link DeliveryFailedException}, retried with the queue's backoff;
 *   <li>any other answer (4xx, or a 3xx, since redirects are never followed): for a client's
 *       webhook {@link JobFailure#permanent}, since resending the same body cannot succeed; for a
 *       callback to our own API a {@link CallbackRejectedException} ({@link #applyToApi}), which is
 *       retried too: there it means a misconfiguration (a secret or a clock) that gets fixed.
 * </ul>
 *
 * Thread-safe.
 */
final class DeliveryRules {

  static final Duration MAX_SNOOZE = Duration.ofHours(1);

  /**
   * The shortest snooze: a snooze spends no attempt, so {@code Retry-After: 0} (or a date in the
   * past) taken as it is would send again at once, as fast as the receiver answers.
   */
  static final Duration MIN_SNOOZE = Duration.ofSeconds(1);

  /** How much of a receiver's answer is kept in the job's error. */
  static final int MAX_EXCERPT = 300;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final InstantSource clock;

  DeliveryRules(InstantSource clock) {
    this.clock = clock;
  }

  long nowSeconds() {
    return clock.instant().getEpochSecond();
  }

  /** Returns when {@code status} means delivered, else throws the outcome as the job's failure. */
  void apply(URI url, int status, @Nullable String retryAfter, @Nullable String body) {
    if (status >= 200 && status < 300) {
      return;
    }
    if (retryable(status)) {
      if (retryAfter != null) {
        throw JobFailure.snooze(parseRetryAfter(retryAfter));
      }
      throw new DeliveryFailedException(
          shown(url) + " answered " + status + ": " + excerpt(body), null);
    }
    throw JobFailure.permanent(
        shown(url) + " refused the message with " + status + ": " + excerpt(body));
  }

  /**
   * Like {@link #apply} for a callback to our own API, except that an answer {@link #apply} would
   * make permanent is a {@link CallbackRejectedException}, whose reason is the problem's {@code
   * detail} when the answer is a problem document (else the excerpt).
   */
  void applyToApi(URI url, int status, @Nullable String retryAfter, @Nullable String body) {
    if ((status >= 200 && status < 300) || retryable(status)) {
      apply(url, status, retryAfter, body);
      return;
    }
    String reason = detail(body);
    throw new CallbackRejectedException(
        status, reason, shown(url) + " rejected the callback with " + status + ": " + reason);
  }

  /** 408, 429 and 5xx: the receiver may well take the same message later. */
  static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  private static String detail(@Nullable String body) {
    if (body != null && body.startsWith("{")) {
      try {
        JsonNode detail = JSON.readTree(body).get("detail");
        if (detail != null && detail.isString() && !detail.asString().isBlank()) {
          return excerpt(detail.asString());
        }
      } catch (RuntimeException e) {
        // Not JSON after all (or cut short at the excerpt's end): the excerpt says what it says.
      }
    }
    String text = excerpt(body);
    return text.isBlank() ? "(no body)" : text;
  }

  /**
   * A client's URL as errors and logs show it: scheme, host, port and path. A query or fragment
   * (where clients put tokens) is replaced by {@code ?…}; user info is dropped.
   */
  static String shown(URI url) {
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    String port = url.getPort() < 0 ? "" : ":" + url.getPort();
    boolean hidden = url.getRawQuery() != null || url.getRawFragment() != null;
    return url.getScheme() + "://" + url.getHost() + port + path + (hidden ? "?…" : "");
  }

  /**
   * {@code Retry-After}: delay-seconds or an HTTP date, kept between {@link #MIN_SNOOZE} and {@link
   * #MAX_SNOOZE}; unparseable means the shortest wait.
   */
  Duration parseRetryAfter(String value) {
    String v = value.strip();
    Duration delay;
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // More digits than fit a long are still a number of seconds: a long wait, not a bad header.
      delay = v.length() > 12 ? MAX_SNOOZE : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        delay = Duration.between(clock.instant(), at);
      } catch (DateTimeParseException e) {
        delay = MIN_SNOOZE;
      }
    }
    if (delay.compareTo(MIN_SNOOZE) < 0) {
      return MIN_SNOOZE;
    }
    return delay.compareTo(MAX_SNOOZE) > 0 ? MAX_SNOOZE : delay;
  }

  private static String excerpt(@Nullable String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= MAX_EXCERPT ? body : body.substring(0, MAX_EXCERPT) + "…";
  }
}
