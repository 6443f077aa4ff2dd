package dev.conveyor.queue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A worker in a JVM of its own for {@link ClaimAheadTests}, killed there with SIGKILL: runs {@code
 * ca.fast} jobs (no-ops, so that its claim-ahead buffer grows) and {@code ca.block} jobs, whose
 * start it records in {@code public.claim_ahead_start} before blocking for good.
 *
 * <p>Arguments: JDBC URL, user, password, worker id.
 */
public final class ClaimAheadWorker {

  private ClaimAheadWorker() {}

  /**
   * Records that {@code worker} started job {@code id}. Here rather than in the test class, whose
   * loading would start a test database in this JVM.
   */
  static void recordStart(JdbcClient jdbc, long id, String worker) {
    jdbc.sql("INSERT INTO public.claim_ahead_start (job_id, worker) VALUES (:id, :worker)")
        .param("id", id)
        .param("worker", worker)
        .update();
  }

  public static void main(String[] args) throws Exception {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(args[0]);
    pool.setUsername(args[1]);
    pool.setPassword(args[2]);
    pool.setMaximumPoolSize(6);
    pool.setPoolName("claim-ahead-child");
    HikariDataSource dataSource = new HikariDataSource(pool);
    JdbcClient jdbc = JdbcClient.create(dataSource);
    String workerId = args[3];
    CountDownLatch never = new CountDownLatch(1);
    WorkerRuntime runtime =
        WorkerRuntime.builder(dataSource)
            .config(
                WorkerConfig.defaults()
                    .withWorkerId(workerId)
                    .withQueues(Map.of("default", 2))
                    // No trim of the buffer while the test looks at it (see QueueFetcher).
                    .withPollInterval(Duration.ofSeconds(60))
                    .withLease(Duration.ofSeconds(2), Duration.ofMillis(500)))
            .rescuer(null)
            .pruner(null)
            .handler(JobHandler.of("ca.fast", ctx -> {}))
            .handler(
                JobHandler.of(
                    "ca.block",
                    ctx -> {
                      recordStart(jdbc, ctx.job().id(), workerId);
                      never.await();
                    }))
            .build();
    runtime.start();
    System.out.println("claim-ahead worker started");
    never.await();
  }
}
