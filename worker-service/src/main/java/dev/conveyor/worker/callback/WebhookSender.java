package dev.conveyor.worker.callback;

import dev.conveyor.contract.WebhookSigner;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.worker.WorkerServiceProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * POSTs client webhooks to the client's {@code callbackUrl}, a destination nobody on our side
 * chose, with Apache HttpClient 5 rather than the JDK client, for one reason: its {@link
 * DnsResolver} decides which addresses a connection may go to. The host is resolved once, every
 * address is checked by the {@link AddressPolicy}, and the connection is made to those checked
 * addresses, so a DNS answer that changes between check and connect (DNS rebinding) cannot slip a
 * private address through. The JDK client resolves by itself, with no per-client hook.
 *
 * <p>Also: connect and read timeouts plus a whole-request deadline ({@code request-timeout}),
 * redirects never followed (a 3xx is permanent, see {@link DeliveryRules}), no automatic retries
 * (the queue retries), no proxy from system properties, and at most {@link
 * DeliveryRules#MAX_EXCERPT} characters of the answer read. A refused address is {@link
 * JobFailure#permanent}; a timeout or an I/O error is a {@link DeliveryFailedException} (retried).
 * Thread-safe; close it to release its connections.
 */
final class WebhookSender implements AutoCloseable {

  private final CloseableHttpClient http;
  private final AddressPolicy policy;
  private final DeliveryRules rules;
  private final long deadlineMillis;
  private final TraceHeaders traces;

  WebhookSender(WorkerServiceProperties properties, AddressPolicy policy, DeliveryRules rules) {
    this(properties, policy, rules, TraceHeaders.NONE);
  }

  WebhookSender(
      WorkerServiceProperties properties,
      AddressPolicy policy,
      DeliveryRules rules,
      TraceHeaders traces) {
    this.traces = traces;
    this.policy = policy;
    this.rules = rules;
    this.deadlineMillis = properties.requestTimeout().toMillis();
    Timeout connect = Timeout.of(properties.connectTimeout());
    Timeout read = Timeout.of(properties.requestTimeout());
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(new CheckingResolver(policy))
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(connect)
                            .setSocketTimeout(read)
                            .build())
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom().setRedirectsEnabled(false).setResponseTimeout(read).build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .build();
  }

  /** Resolves with the system resolver, then refuses the host unless every address passes. */
  private record CheckingResolver(AddressPolicy policy) implements DnsResolver {

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
      policy.check(host, addresses);
      return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
      return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
    }
  }

  /** Delivers a signed message to {@code url}; see {@link DeliveryRules} for the outcomes. */
  void deliver(URI url, WebhookSigner signer, String id, byte[] body) {
    checkLiteral(url);
    HttpPost post = new HttpPost(url);
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    signer.headers(id, rules.nowSeconds(), body).forEach(post::setHeader);
    traces.forEach(post::setHeader);
    // The read timeout bounds each read; this bounds the whole exchange (a slow drip).
    Future<?> deadline =
        CompletableFuture.runAsync(
            post::cancel, CompletableFuture.delayedExecutor(deadlineMillis, TimeUnit.MILLISECONDS));
    try {
      ClassicHttpResponse response = send(url, post);
      Header retryAfter = response.getFirstHeader("Retry-After");
      String excerpt = excerpt(response.getEntity());
      // The rest of the answer is not needed, and closing a response reads its body to the end
      // (for as long as the receiver keeps sending): the connection is dropped instead.
      post.cancel();
      closeQuietly(response);
      rules.apply(
          url, response.getCode(), retryAfter == null ? null : retryAfter.getValue(), excerpt);
    } finally {
      deadline.cancel(false);
    }
  }

  private ClassicHttpResponse send(URI url, HttpPost post) {
    try {
      return http.executeOpen(null, post, null);
    } catch (IOException e) {
      AddressPolicy.RefusedAddressException refused = refusal(e);
      if (refused != null) {
        throw JobFailure.permanent(refused.getMessage());
      }
      if (post.isCancelled()) {
        throw new DeliveryFailedException(
            "no answer from " + DeliveryRules.shown(url) + " in time", e);
      }
      throw new DeliveryFailedException(
          "could not reach " + DeliveryRules.shown(url) + ": " + e, e);
    }
  }

  /**
   * An IP literal is judged here too, without relying on the client to pass it through the
   * resolver.
   */
  private void checkLiteral(URI url) {
    String host = url.getHost();
    if (host == null) {
      return;
    }
    if (host.startsWith("[") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      check(host);
    }
  }

  private void check(String literal) {
    try {
      // A literal (IPv6 in brackets or digits and dots): no DNS lookup happens.
      InetAddress address = InetAddress.getByName(literal);
      policy.check(literal, new InetAddress[] {address});
    } catch (AddressPolicy.RefusedAddressException e) {
      throw JobFailure.permanent(e.getMessage());
    } catch (UnknownHostException e) {
      throw JobFailure.permanent("callbackUrl host " + literal + " is not a valid address");
    }
  }

  private static AddressPolicy.@Nullable RefusedAddressException refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AddressPolicy.RefusedAddressException refused) {
        return refused;
      }
    }
    return null;
  }

  /**
   * The start of the answer, enough for {@link DeliveryRules#MAX_EXCERPT} characters; null if there
   * is none or it cannot be read (the status decides the outcome, not the body).
   */
  private static @Nullable String excerpt(@Nullable HttpEntity entity) {
    if (entity == null) {
      return null;
    }
    try {
      Charset charset =
          ContentType.getCharset(
              ContentType.parseLenient(entity.getContentType()), StandardCharsets.UTF_8);
      // Bounded, and the stream is not closed: closing would read the rest.
      byte[] start = entity.getContent().readNBytes(4 * (DeliveryRules.MAX_EXCERPT + 1));
      return new String(start, charset);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void closeQuietly(ClassicHttpResponse response) {
    try {
      response.close();
    } catch (IOException e) {
      // The connection was dropped on purpose; nothing is lost.
    }
  }

  @Override
  public void close() throws IOException {
    http.close();
  }
}
