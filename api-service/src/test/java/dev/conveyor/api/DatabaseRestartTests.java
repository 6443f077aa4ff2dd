package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real PostgreSQL restart under load: while a few threads submit, read, list, stream and upload
 * over real HTTP, the test stops its own PostgreSQL ({@code pg_ctl stop}, fast mode: sessions are
 * terminated with 57P01), lets requests find it gone (connection refused) and starts it again on
 * the same data (57P03 while it starts). Every answer in between is a success or a 503 problem with
 * {@code Retry-After}; none is another 5xx, and afterwards everything works again.
 *
 * <p>The one test that needs a database it may stop, hence its own server and its own, small API
 * context (started here and closed after, not cached).
 */
class DatabaseRestartTests {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int THREADS = 4;

  private static Path dataDir;
  private static int pgPort;
  private static @Nullable EmbeddedPostgres postgres;
  private static @Nullable ConfigurableApplicationContext app;
  private static Api client;

  @BeforeAll
  static void start() throws IOException {
    dataDir = Files.createTempDirectory("conveyor-restart-pg");
    pgPort = freePort();
    postgres = startPostgres();
    app =
        new SpringApplicationBuilder(ConveyorApiApplication.class)
            .run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:postgresql://localhost:" + pgPort + "/postgres",
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=",
                "--spring.datasource.hikari.maximum-pool-size=6",
                // A request waits this long for a connection while the server is down (30 s by
                // default), then gets its 503.
                "--spring.datasource.hikari.connection-timeout=1000",
                // Keys are looked up again every 300 ms, so the outage meets both the key lookup
                // (a filter, before Spring MVC) and the controllers.
                "--conveyor.api.auth.cache-ttl=300ms",
                "--conveyor.api.callbacks.secrets[0]=" + Signing.CURRENT_SECRET,
                "--logging.level.dev.conveyor.api.stream=OFF",
                // Health on a port of its own, as operators may deploy it.
                "--management.server.port=0");
    ApiKeys keys = app.getBean(ApiKeys.class);
    int port = Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
    client = new Api(port, keys.create("restart-" + System.nanoTime(), Role.CLIENT).key().reveal());
    anonymous = new Api(port, null);
    management =
        new Api(
            Integer.parseInt(app.getEnvironment().getRequiredProperty("local.management.port")),
            null);
  }

  private static Api anonymous;
  private static Api management;

  /**
   * With a management port, health details are there for anyone who reaches it (operators), and
   * still not on the API port.
   */
  @Test
  void healthDetailsAreShownOnTheManagementPortOnly() {
    Api.Response operators = management.get("/actuator/health");
    Api.Response api = anonymous.get("/actuator/health");
    Api.Response apiReadiness = anonymous.get("/actuator/health/readiness");

    assertThat(operators.status()).as(operators.toString()).isEqualTo(200);
    assertThat(
            operators.json().get("components").get("db").get("details").get("database").asString())
        .isEqualTo("PostgreSQL");
    // The API port serves no actuator at all then; the probes use the management port.
    assertThat(api.status()).isEqualTo(404);
    assertThat(apiReadiness.status()).isEqualTo(404);
    assertThat(management.get("/actuator/health/readiness").status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() throws IOException {
    if (app != null) {
      app.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aRestartAnswersOnly503sWithRetryAfterAndEverythingWorksAfterwards() throws Exception {
    String existing = client.submitVoterList();
    Load load = new Load(existing);
    try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        int offset = i;
        running.add(threads.submit(() -> load.run(offset)));
      }
      await().atMost(WAIT).until(() -> load.succeeded.get() >= 20);

      postgres.close(); // pg_ctl stop -m fast: every session ends with 57P01
      await().atMost(WAIT).until(() -> load.unavailable.get() >= 10);
      // Health says DOWN (503 with its JSON), on the management port with the details.
      Api.Response down = management.get("/actuator/health");
      assertThat(down.status()).as(down.toString()).isEqualTo(503);
      assertThat(down.json().get("status").asString()).isEqualTo("DOWN");
      assertThat(down.json().get("components").get("db").get("status").asString())
          .isEqualTo("DOWN");
      postgres = startPostgres();
      long restarted = System.nanoTime();

      // Every kind of request succeeds again, each of them at least twice.
      await()
          .atMost(WAIT)
          .until(() -> load.succeededSince(restarted).values().stream().allMatch(n -> n >= 2));
      load.stop.set(true);
      for (Future<?> f : running) {
        f.get();
      }
    }

    System.out.printf(
        "restart under load: %d successes, %d answers 503 with Retry-After, %d others%n",
        load.succeeded.get(), load.unavailable.get(), load.problems.size());
    assertThat(load.problems).as("answers other than success or a 503 problem").isEmpty();
    assertThat(load.unavailable.get()).isGreaterThanOrEqualTo(10);
    // And the live-update LISTEN connection is back (health says so), and a stream sees a change
    // made now.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Api.Response health = management.get("/actuator/health");
              return health.status() == 200
                  && health
                      .json()
                      .get("components")
                      .get("reportEvents")
                      .get("status")
                      .asString()
                      .equals("UP");
            });
    String id = client.submitVoterList();
    await()
        .atMost(WAIT)
        .until(() -> client.get("/api/reports/" + id).status() == 200 && listening(id));
  }

  /** Whether a new stream of the report sees its cancellation, pushed through LISTEN. */
  private static boolean listening(String id) throws Exception {
    HttpResponse<Stream<String>> r = client.stream("/api/reports/" + id + "/events");
    try (Stream<String> lines = r.body()) {
      if (r.statusCode() != 200) {
        return false;
      }
      client.post("/api/reports/" + id + "/cancel", "");
      return lines.anyMatch(line -> line.contains("\"CANCELLED\""));
    }
  }

  /** Requests of every kind, round robin, recording what came back. */
  private static final class Load {

    private static final List<String> KINDS = List.of("submit", "read", "list", "stream", "upload");

    final String existing;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    final Map<String, Queue<Long>> successes =
        Map.of(
            "submit", new ConcurrentLinkedQueue<>(),
            "read", new ConcurrentLinkedQueue<>(),
            "list", new ConcurrentLinkedQueue<>(),
            "stream", new ConcurrentLinkedQueue<>(),
            "upload", new ConcurrentLinkedQueue<>());
    private final AtomicLong uploads = new AtomicLong();

    Load(String existing) {
      this.existing = existing;
    }

    Map<String, Long> succeededSince(long nanos) {
      return Map.copyOf(
          successes.entrySet().stream()
              .collect(
                  java.util.stream.Collectors.toMap(
                      Map.Entry::getKey,
                      e -> e.getValue().stream().filter(t -> t > nanos).count())));
    }

    void run(int offset) {
      for (int i = offset; !stop.get(); i++) {
        String kind = KINDS.get(i % KINDS.size());
        try {
          record(kind, call(kind));
        } catch (UncheckedIOException | IOException e) {
          problems.add(kind + ": no HTTP answer: " + e);
        }
      }
    }

    private Answer call(String kind) throws IOException {
      return switch (kind) {
        case "submit" ->
            answer(
                client.submit(
                    "{\"type\":\"voterList\",\"format\":\"CSV\","
                        + "\"parameters\":{\"county\":\"Kings\"}}"));
        case "read" -> answer(client.get("/api/reports/" + existing));
        case "list" -> answer(client.get("/api/reports?limit=5"));
        case "upload" ->
            answer(
                client.post(
                    "/api/uploads?filename=u" + uploads.incrementAndGet() + ".csv",
                    "state_voter_id,last_name\nNY1,Doe\n",
                    Map.of("Content-Type", "text/csv")));
        default -> {
          HttpResponse<Stream<String>> r = client.stream("/api/reports/" + existing + "/events");
          try (Stream<String> lines = r.body()) {
            String body = r.statusCode() == 200 ? "" : String.join("\n", lines.toList());
            yield new Answer(
                r.statusCode(),
                r.headers().firstValue("Retry-After").orElse(null),
                r.headers().firstValue("Content-Type").orElse(""),
                body);
          }
        }
      };
    }

    private static Answer answer(Api.Response r) {
      return new Answer(r.status(), r.header("Retry-After"), r.contentType(), r.body());
    }

    private void record(String kind, Answer a) {
      if (a.status < 500) {
        if (a.status / 100 == 2) {
          succeeded.incrementAndGet();
          successes.get(kind).add(System.nanoTime());
        } else {
          problems.add(kind + ": " + a);
        }
      } else if (a.status == 503
          && a.retryAfter != null
          && a.contentType.startsWith("application/problem+json")
          && a.body.contains("\"status\":503")
          && a.body.contains("The database is unavailable")) {
        unavailable.incrementAndGet();
      } else {
        problems.add(kind + ": " + a);
      }
    }
  }

  private record Answer(int status, @Nullable String retryAfter, String contentType, String body) {}

  private static EmbeddedPostgres startPostgres() throws IOException {
    // The same folder and port each time: a restart of one server, its data kept.
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(pgPort)
        .setServerConfig("fsync", "off")
        .setServerConfig("max_connections", "50")
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
