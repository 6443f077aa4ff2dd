package dev.conveyor.worker.callback;

import dev.conveyor.worker.WorkerServiceProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * POSTs signed events to {@code <apiBaseUrl>/internal/report-events} with {@link
 * java.net.http.HttpClient}: connect and request timeouts, redirects never followed (a redirect
 * would carry a signed body somewhere unconfigured). Thread-safe.
 */
final class CallbackSender {

  static final String PATH = "/internal/report-events";

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

  /** Sends and waits for the answer; throws what the HTTP client throws (timeouts, I/O). */
  HttpResponse<String> send(String eventId, byte[] body) throws Exception {
    return http.send(request(eventId, body), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends without waiting; the future completes with the answer or the failure. */
  CompletableFuture<HttpResponse<String>> sendAsync(String eventId, byte[] body) {
    return http.sendAsync(request(eventId, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String eventId, byte[] body) {
    long timestamp = clock.instant().getEpochSecond();
    return HttpRequest.newBuilder(endpoint)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header(WebhookSigner.ID, eventId)
        .header(WebhookSigner.TIMESTAMP, Long.toString(timestamp))
        .header(WebhookSigner.SIGNATURE, signer.sign(eventId, timestamp, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }
}
