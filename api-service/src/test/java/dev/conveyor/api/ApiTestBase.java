package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.testsupport.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The one application context most tests share: the whole service on a random port, against the
 * shared real PostgreSQL (TestDatabase), committed tier (no test transactions: the service commits
 * as in production, so NOTIFY, SKIP LOCKED and concurrent requests behave for real). Tests isolate
 * themselves by creating their own API clients instead of truncating.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "conveyor.api.callbacks.secrets[0]=" + Signing.CURRENT_SECRET,
      "conveyor.api.callbacks.secrets[1]=" + Signing.PREVIOUS_SECRET,
      "conveyor.api.events.heartbeat=300ms",
      "conveyor.api.events.max-streams-per-client=3",
      "conveyor.api.auth.cache-ttl=1s",
      // Not Tomcat's own 30 minutes, so that a test sees this setting reach the session.
      "conveyor.api.console.session-timeout=17m",
      "conveyor.api.bootstrap-key=" + ApiTestBase.BOOTSTRAP_KEY,
      "conveyor.api.limits.json-body=16KB",
      "conveyor.api.limits.upload=256KB",
      // Small, so that a test can fill it; short, so that a test can outlast it.
      "conveyor.api.limits.concurrent-requests=4",
      "conveyor.api.limits.admission-timeout=2s",
      "spring.datasource.hikari.maximum-pool-size=30",
      // Short, so that a test can outlast it: SSE streams set their own timeout.
      "spring.mvc.async.request-timeout=2s"
    })
public abstract class ApiTestBase {

  /** Installed at start for the admin client {@code bootstrap}. */
  protected static final String BOOTSTRAP_KEY = "cvk_test-bootstrap-key-0123456789";

  protected static final TestDatabase db = TestDatabase.get();
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", db::url);
    registry.add("spring.datasource.username", db::user);
    registry.add("spring.datasource.password", db::password);
  }

  @LocalServerPort protected int port;
  @Autowired protected ApiKeys keys;

  protected final DataSource dataSource = db.dataSource();
  protected final JdbcClient jdbc = JdbcClient.create(dataSource);
  protected Api anonymous;

  @BeforeEach
  void http() {
    anonymous = new Api(port, null);
  }

  /** A new API client with its own key, isolated from every other test's data. */
  protected Api newClient() {
    return newClient(Role.CLIENT);
  }

  protected Api newClient(Role role) {
    ApiKeys.CreatedKey created =
        keys.create(
            "test-"
                + role.name().toLowerCase()
                + "-"
                + CLIENTS.incrementAndGet()
                + "-"
                + System.nanoTime(),
            role);
    return new Api(port, created.key().reveal(), created.caller().clientId());
  }

  protected Worker worker() {
    return new Worker(new Api(port, null), jdbc, dataSource);
  }

  /** How many artifacts (uploads and report files) the client owns. */
  protected long artifactsOf(Api client) {
    return jdbc.sql("SELECT count(*) FROM artifacts WHERE owner_id = :owner")
        .param("owner", client.clientId())
        .query(Long.class)
        .single();
  }

  /** The payloads of the client webhook jobs enqueued for a report (unique key webhook:<id>). */
  protected List<String> webhookPayloads(String reportId) {
    return jdbc.sql("SELECT CAST(payload AS text) FROM conveyor.queue_job WHERE unique_key = :key")
        .param("key", "webhook:" + reportId)
        .query(String.class)
        .list();
  }

  /**
   * Asserts an RFC 9457 problem of this kind: its status, {@code application/problem+json}, and the
   * kind's {@code type} URI and {@code title} in the body.
   */
  protected static void assertProblem(Api.Response r, ProblemType type) {
    assertThat(r.status()).as(r.toString()).isEqualTo(type.status());
    assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
    JsonNode body = r.json();
    assertThat(body.path("type").asString()).as(r.toString()).isEqualTo(type.uri().toString());
    assertThat(body.path("title").asString()).as(r.toString()).isEqualTo(type.title());
    assertThat(body.path("status").asInt()).as(r.toString()).isEqualTo(type.status());
  }

  /** Runs the tasks at once, released together by a latch; their results in order. */
  @SafeVarargs
  protected static <T> List<T> race(Callable<? extends T>... tasks) throws Exception {
    return race(List.of(tasks));
  }

  /** See {@link #race(Callable[])}. */
  protected static <T> List<T> race(List<? extends Callable<? extends T>> tasks) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(tasks.size())) {
      List<Future<? extends T>> futures = new ArrayList<>();
      for (Callable<? extends T> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return task.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<? extends T> f : futures) {
        results.add(f.get());
      }
      return results;
    }
  }
}
