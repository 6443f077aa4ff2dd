package dev.conveyor.worker.callback;

import dev.conveyor.contract.WebhookSigner;
import dev.conveyor.worker.WorkerServiceProperties;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * POSTs Standard Webhooks signed events to the API ({@code <apiBaseUrl>/internal/report-events},
 * signed with the callback secret) with {@link java.net.http.HttpClient}: connect and request
 * timeouts, redirects never followed (a redirect would carry a signed body somewhere unconfigured).
 * The API's address is the operator's configuration, so no address policy applies here; client
 * webhooks go through {@link WebhookSender}. Answers map to outcomes by {@link
 * DeliveryRules#applyToApi} (a rejection is a {@link CallbackRejectedException}); a timeout or an
 * I/O error is a {@link DeliveryFailedException} (retried). Thread-safe.
 */
final class CallbackSender {

  static final String PATH = "/internal/report-events";

  private final HttpClient http;
  private final URI endpoint;
  private final WebhookSigner signer;
  private final WorkerServiceProperties properties;
  private final DeliveryRules rules;
  private final TraceHeaders traces;

  CallbackSender(WorkerServiceProperties properties, DeliveryRules rules) {
    this(properties, rules, TraceHeaders.NONE);
  }

  CallbackSender(WorkerServiceProperties properties, DeliveryRules rules, TraceHeaders traces) {
    this.traces = traces;
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

  /**
   * Delivers an event to the API; see {@link DeliveryRules} for the outcomes. The request timeout
   * bounds the whole exchange: the client's own timeout ends at the status line, and a body that
   * stalls after it would hold this thread for as long as the connection stays open.
   */
  void deliver(String eventId, byte[] body) {
    CompletableFuture<HttpResponse<String>> answer = sendAsync(eventId, body);
    HttpResponse<String> response;
    try {
      response = answer.get(properties.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new DeliveryFailedException("no answer from " + endpoint + " in time", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        throw new DeliveryFailedException("no answer from " + endpoint + " in time", cause);
      }
      throw new DeliveryFailedException("could not reach " + endpoint + ": " + cause, cause);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new DeliveryFailedException("interrupted while delivering to " + endpoint, e);
    }
    rules.applyToApi(
        endpoint,
        response.statusCode(),
        response.headers().firstValue("Retry-After").orElse(null),
        response.body());
  }

  /**
   * Sends an event to the API without waiting; the future completes with the answer, whose body is
   * an excerpt ({@link Excerpt}).
   */
  CompletableFuture<HttpResponse<String>> sendAsync(String eventId, byte[] body) {
    return http.sendAsync(request(eventId, body), Excerpt::of);
  }

  /**
   * The body of an answer as far as an error message needs it: none of a 2xx (the status says it
   * all), the first bytes of any other; the rest is not read (the connection is dropped), so a long
   * or endless answer costs neither memory nor time.
   */
  static final class Excerpt implements HttpResponse.BodySubscriber<String> {

    private final CompletableFuture<String> text = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int limit;
    private Flow.@Nullable Subscription subscription;

    private Excerpt(int limit) {
      this.limit = limit;
    }

    static Excerpt of(HttpResponse.ResponseInfo info) {
      return new Excerpt(info.statusCode() / 100 == 2 ? 0 : 4 * (DeliveryRules.MAX_EXCERPT + 1));
    }

    @Override
    public CompletionStage<String> getBody() {
      return text;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (limit == 0) {
        s.cancel();
        text.complete("");
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer item : items) {
        int n = Math.min(item.remaining(), limit - bytes.size());
        byte[] part = new byte[n];
        item.get(part);
        bytes.writeBytes(part);
      }
      Flow.Subscription s = Objects.requireNonNull(subscription);
      if (bytes.size() >= limit) {
        s.cancel();
        onComplete();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable error) {
      // The status decides the outcome; a body cut short only shortens the excerpt.
      onComplete();
    }

    @Override
    public void onComplete() {
      text.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }

  private HttpRequest request(String id, byte[] body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(endpoint)
            .timeout(properties.requestTimeout())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    signer.headers(id, rules.nowSeconds(), body).forEach(builder::header);
    traces.forEach(builder::header);
    return builder.build();
  }
}
