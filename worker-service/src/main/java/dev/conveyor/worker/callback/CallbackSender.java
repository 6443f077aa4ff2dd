package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobFailure;
import dev.conveyor.worker.WorkerServiceProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * POSTs Standard Webhooks signed messages with {@link java.net.http.HttpClient}: connect and
 * request timeouts, redirects never followed (a redirect would carry a signed body somewhere
 * unconfigured). By default to the API ({@code <apiBaseUrl>/internal/report-events}, the callback
 * secret); {@link #deliver(URI, WebhookSigner, String, byte[])} sends anywhere (client webhooks).
 * Thread-safe.
 *
 * <p>How an answer maps to the job's outcome ({@link #deliver}):
 *
 * <ul>
 *   <li>2xx: delivered;
 *   <li>a {@code Retry-After} on a retryable answer: {@link JobFailure#snooze}, capped at {@link
 *       #MAX_SNOOZE};
 *   <li>408, 429, 5xx, a timeout or an I/O error: {@link DeliveryFailedException}, retried with the
 *       queue's backoff;
 *   <li>any other answer (4xx, or a 3xx): {@link JobFailure#permanent}, since resending the same
 *       body cannot succeed.
 * </ul>
 */
final class CallbackSender {

  static final String PATH = "/internal/report-events";
  static final Duration MAX_SNOOZE = Duration.ofHours(1);

  private final HttpClient http;
  private final URI endpoint;
  private final WebhookSigner signer;
  private final Duration requestTimeout;
  private final InstantSource clock;

  CallbackSender(WorkerServiceProperties properties, InstantSource clock) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    String base = properties.apiBaseUrl().toString();
    this.endpoint =
        URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.signer = new WebhookSigner(properties.callbackSecret());
    this.requestTimeout = properties.requestTimeout();
    this.clock = clock;
  }

  URI endpoint() {
    return endpoint;
  }

  /** Delivers an event to the API; see the class comment for the outcomes. */
  void deliver(String eventId, byte[] body) {
    deliver(endpoint, signer, eventId, body);
  }

  /** Delivers a signed message to {@code url}; see the class comment for the outcomes. */
  void deliver(URI url, WebhookSigner signer, String id, byte[] body) {
    HttpResponse<String> response;
    try {
      response = http.send(request(url, signer, id, body), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new DeliveryFailedException("no answer from " + url + " in time", e);
    } catch (IOException e) {
      throw new DeliveryFailedException("could not reach " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryFailedException("interrupted while delivering to " + url, e);
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
      throw new DeliveryFailedException(
          url + " answered " + status + ": " + abbreviate(response.body()), null);
    }
    throw JobFailure.permanent(
        url + " refused the message with " + status + ": " + abbreviate(response.body()));
  }

  /** Sends an event to the API without waiting; the future completes with the answer. */
  CompletableFuture<HttpResponse<String>> sendAsync(String eventId, byte[] body) {
    return http.sendAsync(
        request(endpoint, signer, eventId, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(URI url, WebhookSigner signer, String id, byte[] body) {
    long timestamp = clock.instant().getEpochSecond();
    return HttpRequest.newBuilder(url)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header(WebhookSigner.ID, id)
        .header(WebhookSigner.TIMESTAMP, Long.toString(timestamp))
        .header(WebhookSigner.SIGNATURE, signer.sign(id, timestamp, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
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
}
