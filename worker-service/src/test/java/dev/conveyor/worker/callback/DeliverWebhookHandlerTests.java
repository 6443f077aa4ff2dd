package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.conveyor.contract.Secret;
import dev.conveyor.contract.WebhookSigner;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.WorkerServiceProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code webhook.deliver}: the client's secret from {@code api_clients} (real database), the body
 * POSTed to the client's URL (a real local server) under the API's webhook id.
 */
class DeliverWebhookHandlerTests {

  static final TestDatabase db = TestDatabase.get();
  static final String CLIENT_SECRET = "whsec_3ptOY4ytApu8R1h/IYoPGdc4JOiKzkhOeA2dzswnEvY=";
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Duration GIVE_UP_AFTER = Duration.ofHours(72);

  record Received(Map<String, List<String>> headers, byte[] body) {}

  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final List<Received> received = new CopyOnWriteArrayList<>();
  volatile int status = 204;
  volatile @Nullable String retryAfter;
  HttpServer server;
  final List<WebhookSender> senders = new ArrayList<>();

  /** Allows private addresses, as local development does: the test server is on loopback. */
  DeliverWebhookHandler handler;

  /** The default policy. */
  DeliverWebhookHandler refusingHandler;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          received.add(
              new Received(
                  Map.copyOf(exchange.getRequestHeaders()),
                  exchange.getRequestBody().readAllBytes()));
          if (status / 100 == 3) {
            // Back to this server: a followed redirect would show as a second request.
            exchange.getResponseHeaders().add("Location", "/elsewhere");
          }
          if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
          }
          if (status >= 500) {
            byte[] answer = "try later".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
          } else {
            exchange.sendResponseHeaders(status, -1);
          }
          exchange.close();
        });
    server.start();
    WorkerServiceProperties properties =
        new WorkerServiceProperties(
            URI.create("http://127.0.0.1:1"),
            new Secret(DeliverCallbackHandlerTests.SECRET),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            "callbacks",
            25,
            Duration.ofSeconds(1),
            100);
    handler = handler(properties, true, InstantSource.system());
    refusingHandler = handler(properties, false, InstantSource.system());
    this.properties = properties;
  }

  private WorkerServiceProperties properties;

  private DeliverWebhookHandler handler(
      WorkerServiceProperties properties, boolean allowPrivate, InstantSource clock) {
    WebhookSender sender =
        new WebhookSender(
            properties,
            new AddressPolicy(allowPrivate),
            new DeliveryRules(InstantSource.fixed(NOW)));
    senders.add(sender);
    return new DeliverWebhookHandler(
        sender, jdbc, JsonMapper.builder().build(), null, GIVE_UP_AFTER, clock);
  }

  @AfterEach
  void stop() throws IOException {
    server.stop(0);
    for (WebhookSender sender : senders) {
      sender.close();
    }
  }

  private long client(@Nullable String secret, boolean revoked) {
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    return jdbc.sql(
            """
            INSERT INTO api_clients (name, key_hash, key_prefix, webhook_secret, revoked_at)
            VALUES (:name, :hash, 'cvk_', :secret, CASE WHEN :revoked THEN now() END)
            RETURNING id
            """)
        .param("name", "webhook-test-" + System.nanoTime())
        .param("hash", hash)
        .param("secret", secret, java.sql.Types.VARCHAR)
        .param("revoked", revoked)
        .query(Long.class)
        .single();
  }

  private String payload(long clientId) {
    return payload(
        clientId, "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/conveyor");
  }

  private static String payload(long clientId, String callbackUrl) {
    return "{\"webhookId\":\"msg_abc\",\"clientId\":"
        + clientId
        + ",\"callbackUrl\":\""
        + callbackUrl
        + "\",\"body\":{\"type\":\"report.completed\",\"reportId\":\"r1\","
        + "\"status\":\"COMPLETED\",\"error\":null}}";
  }

  @Test
  void postsTheBodySignedWithTheClientsSecretUnderTheApisWebhookId() {
    long clientId = client(CLIENT_SECRET, false);

    handler.handle(StubJobContext.withPayload(payload(clientId)));

    assertThat(received).hasSize(1);
    Received r = received.getFirst();
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(body)
        .isEqualTo(
            "{\"type\":\"report.completed\",\"reportId\":\"r1\",\"status\":\"COMPLETED\","
                + "\"error\":null}");
    assertThat(r.headers().get("Webhook-id")).containsExactly("msg_abc");
    assertThat(r.headers().get("Webhook-signature"))
        .containsExactly(
            new WebhookSigner(new Secret(CLIENT_SECRET))
                .sign("msg_abc", NOW.getEpochSecond(), r.body()));
  }

  @Test
  void aClientWithoutSecretOrRevokedIsPermanent() {
    for (long clientId : new long[] {client(null, false), client(CLIENT_SECRET, true), -1}) {
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(payload(clientId))))
          .isInstanceOf(JobFailure.Permanent.class);
    }
    assertThat(received).isEmpty();
  }

  @Test
  void aServerErrorAtTheClientIsRetried() {
    status = 502;
    long clientId = client(CLIENT_SECRET, false);
    assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(payload(clientId))))
        .isInstanceOf(DeliveryFailedException.class)
        .hasMessageEndingWith("answered 502: try later");
  }

  @Test
  void aRetryAfterSnoozesAYoungWebhook() {
    status = 503;
    retryAfter = "120";
    long clientId = client(CLIENT_SECRET, false);

    assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(payload(clientId))))
        .isInstanceOfSatisfying(
            JobFailure.Snooze.class, s -> assertThat(s.delay()).isEqualTo(Duration.ofSeconds(120)));
  }

  @Test
  void aReceiverThatStillAsksToRetryLaterWhenTheWebhookIsOldIsGivenUp() {
    status = 429;
    retryAfter = "1";
    long clientId = client(CLIENT_SECRET, false);
    // The stub job was enqueued now; this handler's clock is past the limit.
    DeliverWebhookHandler late =
        handler(
            properties,
            true,
            InstantSource.fixed(Instant.now().plus(GIVE_UP_AFTER).plusSeconds(60)));

    assertThatThrownBy(() -> late.handle(StubJobContext.withPayload(payload(clientId))))
        .isInstanceOf(JobFailure.Permanent.class)
        .hasMessageContaining("still asked to retry later 72 h after the webhook was enqueued");
    assertThat(received).hasSize(1);
  }

  @Test
  void aUrlAtAPrivateAddressIsRefusedForGoodWithoutAnyRequest() {
    long clientId = client(CLIENT_SECRET, false);
    int port = server.getAddress().getPort();
    Map<String, String> refused =
        Map.of(
            "http://127.0.0.1:" + port + "/hooks",
            "127.0.0.1, a loopback address",
            "http://[::1]:" + port + "/hooks",
            "a loopback address",
            "http://[::ffff:127.0.0.1]:" + port + "/hooks",
            "loopback",
            "http://2130706433:" + port + "/hooks",
            "127.0.0.1, a loopback",
            "http://10.1.2.3:" + port + "/hooks",
            "private (10.0.0.0/8)",
            "https://169.254.169.254/latest/meta-data",
            "link-local",
            "http://0.0.0.0:" + port + "/hooks",
            "unspecified");
    refused.forEach(
        (url, why) ->
            assertThatThrownBy(
                    () ->
                        refusingHandler.handle(StubJobContext.withPayload(payload(clientId, url))))
                .as(url)
                .isInstanceOf(JobFailure.Permanent.class)
                .hasMessageContaining(why)
                .hasMessageContaining("allow-private-addresses"));
    assertThat(received).isEmpty();
  }

  @Test
  void aHostNameThatResolvesToLoopbackIsRefusedByTheResolverTheConnectionUses() {
    long clientId = client(CLIENT_SECRET, false);
    String url = "http://localhost:" + server.getAddress().getPort() + "/hooks";

    assertThatThrownBy(
            () -> refusingHandler.handle(StubJobContext.withPayload(payload(clientId, url))))
        .isInstanceOf(JobFailure.Permanent.class)
        .hasMessageContaining("callbackUrl host localhost resolves to")
        .hasMessageContaining("loopback");
    assertThat(received).isEmpty();

    // The same URL with private addresses allowed reaches the server: the refusal was the policy.
    handler.handle(StubJobContext.withPayload(payload(clientId, url)));
    assertThat(received).hasSize(1);
  }

  /**
   * The status decides: a 2xx whose answer goes on for longer than the request timeout is
   * delivered, not a timeout to retry, and only an excerpt of the answer is read.
   */
  @Test
  void aSuccessWithAnEndlessAnswerIsDeliveredWithoutReadingItAll() throws IOException {
    AtomicLong sent = new AtomicLong();
    HttpServer endless =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    endless.setExecutor(Executors.newCachedThreadPool());
    endless.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 0);
          byte[] block = new byte[64 * 1024];
          // Until the worker hangs up, or well past its 2 s request timeout.
          long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          try (OutputStream body = exchange.getResponseBody()) {
            while (System.nanoTime() < until) {
              body.write(block);
              sent.addAndGet(block.length);
            }
          } catch (IOException hungUp) {
            // expected
          }
        });
    endless.start();
    try {
      long clientId = client(CLIENT_SECRET, false);
      String url = "http://127.0.0.1:" + endless.getAddress().getPort() + "/hooks";

      handler.handle(StubJobContext.withPayload(payload(clientId, url)));

      assertThat(sent.get()).isLessThan(64L << 20);
    } finally {
      endless.stop(0);
    }
  }

  @Test
  void aRedirectIsNotFollowedAndIsPermanent() {
    status = 302;
    long clientId = client(CLIENT_SECRET, false);
    assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(payload(clientId))))
        .isInstanceOf(JobFailure.Permanent.class)
        .hasMessageContaining("302");
    assertThat(received).hasSize(1);
  }
}
