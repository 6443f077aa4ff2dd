package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.contract.Secret;
import dev.conveyor.contract.WebhookSigner;
import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.WorkerServiceProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code callback.deliver} against a real local HTTP server standing in for the API: headers and
 * signature, and how each answer maps to an outcome.
 */
class DeliverCallbackHandlerTests {

  static final String SECRET = "whsec_Y29udmV5b3ItZ29sZGVuLXZlY3Rvci1zZWNyZXQtMzI=";
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final TestDatabase db = TestDatabase.get();
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  ApiCallbackHealth health;

  /** A report.completed event for a PENDING report of its own. */
  String event;

  UUID reportId;

  record Received(Map<String, List<String>> headers, byte[] body, String path) {
    String header(String name) {
      return headers.get(name).getFirst();
    }
  }

  HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile Map<String, String> responseHeaders = Map.of();
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean hang;
  volatile boolean stallBody;
  volatile String responseBody = "{\"applied\":true}";
  DeliverCallbackHandler handler;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    WorkerServiceProperties properties =
        new WorkerServiceProperties(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
            new Secret(SECRET),
            Duration.ofSeconds(2),
            Duration.ofMillis(500),
            "callbacks",
            25,
            Duration.ofSeconds(1),
            100);
    InstantSource clock = InstantSource.fixed(NOW);
    health = new ApiCallbackHealth(meters, clock);
    handler =
        new DeliverCallbackHandler(
            new CallbackSender(properties, new DeliveryRules(clock)),
            JsonMapper.builder().build(),
            jdbc,
            new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0),
            health);
    reportId = pendingReport();
    event =
        "{\"id\":\"evt_1\",\"type\":\"report.completed\",\"reportId\":\""
            + reportId
            + "\",\"jobId\":42,\"attempt\":1}";
  }

  private UUID pendingReport() {
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    long owner =
        jdbc.sql(
                "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES (:n, :h, 'cvk_')"
                    + " RETURNING id")
            .param("n", "callback-test-" + System.nanoTime())
            .param("h", hash)
            .query(Long.class)
            .single();
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO reports (id, owner_id, type, format, request_fingerprint, job_id)
            VALUES (:id, :owner, 'voterList', 'CSV', repeat('c', 64), 42)
            """)
        .param("id", id)
        .param("owner", owner)
        .update();
    return id;
  }

  private void cancelReport() {
    jdbc.sql("UPDATE reports SET status = 'CANCELLED', completed_at = now() WHERE id = :id")
        .param("id", reportId)
        .update();
  }

  private double rejected(String status) {
    Counter counter = meters.find(ApiCallbackHealth.REJECTED).tag("status", status).counter();
    return counter == null ? 0 : counter.count();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    received.add(
        new Received(
            Map.copyOf(exchange.getRequestHeaders()),
            exchange.getRequestBody().readAllBytes(),
            exchange.getRequestURI().getPath()));
    if (hang) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    if (stallBody) {
      // The status line and the body's start, then nothing (a stuck proxy, say).
      exchange.sendResponseHeaders(status, 1_000);
      exchange.getResponseBody().write("{\"applied\":".getBytes(StandardCharsets.UTF_8));
      exchange.getResponseBody().flush();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
      return;
    }
    byte[] body = responseBody.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Nested
  class Delivered {

    @Test
    void postsThePayloadSignedWithStandardWebhooksHeaders() throws Exception {
      handler.handle(StubJobContext.withPayload(event));

      assertThat(received).hasSize(1);
      Received r = received.getFirst();
      assertThat(r.path()).isEqualTo("/internal/report-events");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(event);
      assertThat(r.header("Content-type")).isEqualTo("application/json");
      assertThat(r.header("Webhook-id")).isEqualTo("evt_1");
      assertThat(r.header("Webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
      assertThat(r.header("Webhook-signature"))
          .isEqualTo(
              new WebhookSigner(new Secret(SECRET)).sign("evt_1", NOW.getEpochSecond(), r.body()));
    }

    @Test
    void anyTwoHundredCompletes() throws Exception {
      status = 202;
      handler.handle(StubJobContext.withPayload(event));
      assertThat(received).hasSize(1);
    }
  }

  /**
   * An answer resending cannot change (a 401, another 4xx, a redirect) is not the end of a callback
   * to our own API: it is retried, counted and shown in the health, until the report is final.
   */
  @Nested
  class Rejected {

    @Test
    void unauthorizedIsRetriedCountedAndShownAsDegraded() {
      status = 401;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(CallbackRejectedException.class)
          .isNotInstanceOf(JobFailure.class)
          .hasMessageEndingWith("401: {\"applied\":true}");

      assertThat(rejected("401")).isEqualTo(1);
      assertThat(health.health().getStatus()).isEqualTo(ApiCallbackHealth.DEGRADED);
      assertThat(health.health().getDetails())
          .containsEntry("status", 401)
          .containsEntry("reason", "{\"applied\":true}")
          .containsEntry("rejections", 1L);
    }

    @Test
    void eachReasonIsLoggedAtErrorOnceNotOnEveryAttempt() {
      Logger logger = (Logger) LoggerFactory.getLogger(ApiCallbackHealth.class);
      ListAppender<ILoggingEvent> logged = new ListAppender<>();
      logged.start();
      logger.addAppender(logged);
      try {
        status = 401;
        for (int i = 0; i < 3; i++) {
          assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)));
        }
        status = 403;
        assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)));
        assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)));
      } finally {
        logger.detachAppender(logged);
      }

      assertThat(logged.list)
          .filteredOn(e -> e.getLevel() == Level.ERROR)
          .extracting(ILoggingEvent::getFormattedMessage)
          .hasSize(2)
          .satisfiesExactly(
              m -> assertThat(m).startsWith("The API rejects callbacks with 401"),
              m -> assertThat(m).startsWith("The API rejects callbacks with 403"));
      assertThat(rejected("401")).isEqualTo(3);
    }

    @Test
    void theReasonIsTheProblemsDetail() {
      status = 401;
      responseBody =
          "{\"type\":\"about:blank\",\"status\":401,"
              + "\"detail\":\"No webhook-signature matches the body\"}";
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .hasMessageEndingWith("401: No webhook-signature matches the body");
      assertThat(health.health().getDetails())
          .containsEntry("reason", "No webhook-signature matches the body");
    }

    @Test
    void otherClientErrorsAndRedirectsAreRetriedToo() {
      status = 422;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(CallbackRejectedException.class);
      status = 302;
      responseHeaders = Map.of("Location", "http://example.invalid/elsewhere");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(CallbackRejectedException.class);
      assertThat(received).hasSize(2); // the redirect was not followed
      assertThat(rejected("422")).isEqualTo(1);
      assertThat(rejected("302")).isEqualTo(1);
    }

    @Test
    void aDeliveryAfterRejectionsMakesTheHealthUpAgain() {
      status = 401;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)));
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)));
      assertThat(health.health().getDetails()).containsEntry("rejections", 2L);

      status = 200;
      handler.handle(StubJobContext.withPayload(event));

      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(rejected("401")).isEqualTo(2); // a counter: it never goes down
    }

    @Test
    void theLastAttemptSnoozesForTheCappedBackoffInsteadOfEndingDead() {
      status = 401;
      assertThatThrownBy(() -> handler.handle(StubJobContext.onAttempt(event, 25, 25)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class, s -> assertThat(s.delay()).isEqualTo(Duration.ofMinutes(5)));
      status = 503;
      assertThatThrownBy(() -> handler.handle(StubJobContext.onAttempt(event, 25, 25)))
          .isInstanceOf(JobFailure.Snooze.class);
    }

    @Test
    void deliveryStopsOnceTheReportIsFinal() {
      status = 401;
      cancelReport();
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(JobFailure.Permanent.class)
          .hasMessageContaining("report " + reportId + " is already CANCELLED")
          .hasMessageContaining("rejected the callback with 401");
      // A 5xx (or an unreachable API) too: the event cannot change the report any more.
      status = 503;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(JobFailure.Permanent.class);
    }

    @Test
    void payloadWithoutEventIdIsPermanentAndSendsNothing() {
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload("{\"type\":\"x\"}")))
          .isInstanceOf(JobFailure.Permanent.class);
      assertThat(received).isEmpty();
    }
  }

  @Nested
  class Retried {

    @Test
    void serverErrorIsRetried() {
      status = 503;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(DeliveryFailedException.class)
          .isNotInstanceOf(JobFailure.class);
    }

    @Test
    void requestTimeoutAndTooManyRequestsAreRetried() {
      for (int s : new int[] {408, 429}) {
        status = s;
        assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
            .isInstanceOf(DeliveryFailedException.class);
      }
    }

    @Test
    void noAnswerInTimeIsRetried() {
      hang = true;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(DeliveryFailedException.class)
          .hasMessageContaining("in time");
    }

    @Test
    void unreachableApiIsRetried() {
      server.stop(0);
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(DeliveryFailedException.class);
    }

    @Test
    void retryAfterSecondsSnoozes() {
      status = 429;
      responseHeaders = Map.of("Retry-After", "7");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class, s -> assertThat(s.delay()).isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void retryAfterHttpDateSnoozesUntilThen() {
      status = 503;
      responseHeaders =
          Map.of(
              "Retry-After",
              DateTimeFormatter.RFC_1123_DATE_TIME.format(
                  NOW.plusSeconds(90).atOffset(ZoneOffset.UTC)));
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(Duration.ofSeconds(90)));
    }

    @Test
    void retryAfterIsCappedAtAnHour() {
      status = 503;
      responseHeaders = Map.of("Retry-After", "999999");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(DeliveryRules.MAX_SNOOZE));
    }

    @Test
    void retryAfterOnAClientErrorIsARejectionNotASnooze() {
      status = 400;
      responseHeaders = Map.of("Retry-After", "5");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(CallbackRejectedException.class);
    }
  }

  /**
   * The answer after the status line is bounded too: the status decides, and only an excerpt of an
   * error's body is waited for, within the request timeout.
   */
  @Nested
  class StalledAnswer {

    @Test
    void aSuccessWhoseBodyStallsIsDelivered() {
      stallBody = true;

      handler.handle(StubJobContext.withPayload(event));

      assertThat(received).hasSize(1);
    }

    @Test
    void anErrorWhoseBodyStallsIsRetriedAfterTheRequestTimeout() {
      status = 503;
      stallBody = true;

      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(event)))
          .isInstanceOf(DeliveryFailedException.class)
          .hasMessageContaining("in time");
    }
  }
}
