package dev.conveyor.worker.callback;

import dev.conveyor.worker.WorkerServiceProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;

/**
 * POSTs Standard Webhooks signed events to the API ({@code <apiBaseUrl>/internal/report-events},
 * signed with the callback secret) with {@link java.net.http.HttpClient}: connect and request
 * timeouts, redirects never followed (a redirect would carry a signed body somewhere unconfigured).
 * The API's address is the operator's configuration, so no address policy applies here; client
 * webhooks go through {@link WebhookSender}. Answers map to outcomes by {@link DeliveryRules}; a
 * timeout or an I/O error is a {@link DeliveryFailedException} (retried). Thread-safe.
 */
final class CallbackSender {

  static final String PATH = "/internal/report-events";

  private final HttpClient http;
  private final URI endpoint;
  private final WebhookSigner signer;
  private final WorkerServiceProperties properties;
  private final DeliveryRules rules;

  CallbackSender(WorkerServiceProperties properties, DeliveryRules rules) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    String base = properties.apiBaseUrl().toString();
    this.endpoint =
        URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.signer = new WebhookSigner(properties.callbackSecret());
    this.properties = properties;
    this.rules = rules;
  }

  URI endpoint() {
    return endpoint;
  }

  /** Delivers an event to the API; see {@link DeliveryRules} for the outcomes. */
  void deliver(String eventId, byte[] body) {
    HttpResponse<String> response;
    try {
      response = http.send(request(eventId, body), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new DeliveryFailedException("no answer from " + endpoint + " in time", e);
    } catch (IOException e) {
      throw new DeliveryFailedException("could not reach " + endpoint + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryFailedException("interrupted while delivering to " + endpoint, e);
    }
    rules.apply(
        endpoint,
        response.statusCode(),
        response.headers().firstValue("Retry-After").orElse(null),
        response.body());
  }

  /** Sends an event to the API without waiting; the future completes with the answer. */
  CompletableFuture<HttpResponse<String>> sendAsync(String eventId, byte[] body) {
    return http.sendAsync(request(eventId, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String id, byte[] body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(endpoint)
            .timeout(properties.requestTimeout())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    signer.headers(id, rules.nowSeconds(), body).forEach(builder::header);
    return builder.build();
  }
}
