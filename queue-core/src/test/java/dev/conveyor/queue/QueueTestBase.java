package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import dev.conveyor.testsupport.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Committed tier: every statement commits, as in production, so SKIP LOCKED across connections,
 * NOTIFY (delivered on commit), leases and shutdown behave for real. Each test starts from an empty
 * queue; runtimes a test starts are stopped after it.
 */
public abstract class QueueTestBase {

  protected static final TestDatabase db = TestDatabase.get();
  protected final DataSource dataSource = db.dataSource();
  protected final JdbcClient jdbc = JdbcClient.create(dataSource);
  protected final JobQueue queue = new JobQueue(dataSource);
  private final List<WorkerRuntime> runtimes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void emptyQueue() {
    db.truncateQueue();
    // No depth sample yet: the first sampler to look takes one.
    db.execute("TRUNCATE conveyor.queue_depth");
    db.execute("UPDATE conveyor.queue_depth_sample SET sampled_at = '-infinity', sampled_by = ''");
  }

  @AfterEach
  void stopRuntimes() throws Exception {
    for (WorkerRuntime runtime : runtimes) {
      runtime.stop(Duration.ZERO);
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  /** A fast-reacting config for tests: short lease, quick poll, given queues. */
  protected static WorkerConfig testConfig(Map<String, Integer> queues) {
    return WorkerConfig.defaults()
        .withWorkerId("test-" + System.nanoTime())
        .withQueues(queues)
        .withPollInterval(Duration.ofMillis(200))
        .withShutdownTimeout(Duration.ofSeconds(5));
  }

  /** Starts a runtime and stops it after the test. */
  protected WorkerRuntime start(WorkerRuntime.Builder builder) {
    WorkerRuntime runtime = builder.build();
    runtimes.add(runtime);
    runtime.start();
    return runtime;
  }

  /** Waits until every runtime started so far has its LISTEN connection up. */
  protected void awaitListening() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                runtimes.stream()
                    .allMatch(r -> Boolean.TRUE.equals(r.status().listenerConnected())));
  }

  protected <T extends AutoCloseable> T closeAfter(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  protected Job job(long id) {
    return queue.find(id).orElseThrow();
  }

  /** A class-path resource as text, e.g. one of queue-core's SQL files for an EXPLAIN. */
  protected static String resource(String path) throws IOException {
    try (InputStream in = QueueTestBase.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  protected long count(String where) {
    return jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE " + where)
        .query(Long.class)
        .single();
  }
}
