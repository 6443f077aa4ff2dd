package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.worker.Secret;
import dev.conveyor.worker.WorkerServiceProperties;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code callback.deliver} against a real local HTTP server standing in for the API: headers and
 * signature, and how each answer maps to an outcome.
 */
class DeliverCallbackHandlerTests {

  static final String SECRET = "whsec_Y29udmV5b3ItZ29sZGVuLXZlY3Rvci1zZWNyZXQtMzI=";
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String EVENT =
      "{\"id\":\"evt_1\",\"type\":\"report.completed\",\"reportId\":"
          + "\"0195f3a2-7c41-7d2e-9b8a-3f6e1d2c4b5a\",\"jobId\":42,\"attempt\":1}";

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
    handler =
        new DeliverCallbackHandler(
            new CallbackSender(properties, new DeliveryRules(clock)),
            JsonMapper.builder().build(),
            null);
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
    byte[] body = "{\"applied\":true}".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Nested
  class Delivered {

    @Test
    void postsThePayloadSignedWithStandardWebhooksHeaders() throws Exception {
      handler.handle(StubJobContext.withPayload(EVENT));

      assertThat(received).hasSize(1);
      Received r = received.getFirst();
      assertThat(r.path()).isEqualTo("/internal/report-events");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(EVENT);
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
      handler.handle(StubJobContext.withPayload(EVENT));
      assertThat(received).hasSize(1);
    }
  }

  @Nested
  class Refused {

    @Test
    void clientErrorIsPermanent() {
      status = 422;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(JobFailure.Permanent.class)
          .hasMessageEndingWith("422: {\"applied\":true}");
    }

    @Test
    void unauthorizedIsPermanent() {
      status = 401;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(JobFailure.Permanent.class);
    }

    @Test
    void redirectIsNotFollowedAndIsPermanent() {
      status = 302;
      responseHeaders = Map.of("Location", "http://example.invalid/elsewhere");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(JobFailure.Permanent.class);
      assertThat(received).hasSize(1);
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
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(DeliveryFailedException.class)
          .isNotInstanceOf(JobFailure.class);
    }

    @Test
    void requestTimeoutAndTooManyRequestsAreRetried() {
      for (int s : new int[] {408, 429}) {
        status = s;
        assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
            .isInstanceOf(DeliveryFailedException.class);
      }
    }

    @Test
    void noAnswerInTimeIsRetried() {
      hang = true;
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(DeliveryFailedException.class)
          .hasMessageContaining("in time");
    }

    @Test
    void unreachableApiIsRetried() {
      server.stop(0);
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(DeliveryFailedException.class);
    }

    @Test
    void retryAfterSecondsSnoozes() {
      status = 429;
      responseHeaders = Map.of("Retry-After", "7");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
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
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(Duration.ofSeconds(90)));
    }

    @Test
    void retryAfterIsCappedAtAnHour() {
      status = 503;
      responseHeaders = Map.of("Retry-After", "999999");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(DeliveryRules.MAX_SNOOZE));
    }

    @Test
    void retryAfterOnAClientErrorDoesNotMakeItRetryable() {
      status = 400;
      responseHeaders = Map.of("Retry-After", "5");
      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(JobFailure.Permanent.class);
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

      handler.handle(StubJobContext.withPayload(EVENT));

      assertThat(received).hasSize(1);
    }

    @Test
    void anErrorWhoseBodyStallsIsRetriedAfterTheRequestTimeout() {
      status = 503;
      stallBody = true;

      assertThatThrownBy(() -> handler.handle(StubJobContext.withPayload(EVENT)))
          .isInstanceOf(DeliveryFailedException.class)
          .hasMessageContaining("in time");
    }
  }
}
