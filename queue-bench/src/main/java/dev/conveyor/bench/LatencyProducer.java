package dev.conveyor.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.Enqueued;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer process of the pickup-latency measurement, started by {@link QueueBenchmark} as a
 * separate JVM: enqueues jobs one at a time (each its own transaction), at a fixed rate, each
 * payload carrying the wall-clock time in epoch microseconds taken just before the enqueue call.
 *
 * <p>First it warms both JVMs up (JIT): back-to-back untimed jobs on the measured queue, which the
 * worker runs without timing them, so that its claim and dispatch path is compiled too, with an
 * {@code ANALYZE} of the job table halfway through them; then paced warm-up jobs, then the timed
 * ones.
 *
 * <p>Arguments: {@code jobs warmup intervalMs queue producerWarmup}; the database comes from {@code
 * CONVEYOR_BENCH_DB_URL/USER/PASSWORD}. Prints, on stdout, one line {@code job ID SENT RETURNED}
 * per timed job (epoch microseconds before and after the enqueue call), for the worker's breakdown
 * of the latency.
 */
public final class LatencyProducer {

  private LatencyProducer() {}

  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(args[0]);
    int warmup = Integer.parseInt(args[1]);
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
    String queueName = args[3];
    int producerWarmup = Integer.parseInt(args[4]);

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(System.getenv("CONVEYOR_BENCH_DB_URL"));
    config.setUsername(System.getenv().getOrDefault("CONVEYOR_BENCH_DB_USER", "postgres"));
    config.setPassword(System.getenv().getOrDefault("CONVEYOR_BENCH_DB_PASSWORD", ""));
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(2);
    config.setPoolName("conveyor-bench-producer");
    config.addDataSourceProperty("ApplicationName", "conveyor-bench-producer");
    StringBuilder report = new StringBuilder();
    try (HikariDataSource dataSource = new HikariDataSource(config)) {
      JobQueue queue = new JobQueue(dataSource);
      int filled = producerWarmup / 2;
      for (int i = 0; i < producerWarmup; i++) {
        if (i == filled) {
          analyze(dataSource);
        }
        queue.enqueue(JobRequest.of("latency", "{\"t\":0,\"w\":1}").withQueue(queueName));
      }
      send(queue, queueName, warmup, true, intervalNanos, null);
      // Let the worker finish the warm-up before the first timed job.
      Thread.sleep(500);
      send(queue, queueName, jobs, false, intervalNanos, report);
    }
    System.out.print(report);
    System.out.flush();
  }

  private static void send(
      JobQueue queue,
      String queueName,
      int count,
      boolean warmup,
      long intervalNanos,
      StringBuilder report) {
    long next = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      next += intervalNanos;
      long sent = epochMicros();
      Enqueued enqueued =
          queue.enqueue(
              JobRequest.of("latency", "{\"t\":" + sent + ",\"w\":" + (warmup ? 1 : 0) + "}")
                  .withQueue(queueName));
      long returned = epochMicros();
      if (report != null) {
        report
            .append("job ")
            .append(enqueued.job().id())
            .append(' ')
            .append(sent)
            .append(' ')
            .append(returned)
            .append('\n');
      }
    }
  }

  /**
   * Statistics as autovacuum keeps them on a running system. The worker started on an empty table,
   * and the plan its connections cached for the claim was made for one: a scan of the whole table,
   * kept until an ANALYZE invalidates it (autovacuum's within a minute, or the worker's own
   * statistics check, every second since session 16). Analyzing right after the warm-up makes every
   * run time its jobs on current plans, as bench/graphile/producer.js does for Graphile Worker;
   * before, a run depended on whether an ANALYZE fell inside it (claim p50 0.8 ms with one, 1.8 ms
   * without).
   *
   * <p>Halfway through the back-to-back warm-up, not after it: the ANALYZE is a statement of
   * another shape (no parameters, no result), and its first run deoptimized the producer's compiled
   * {@code QueryExecutorImpl.sendBind}, which C2 compiled again (about 100 ms of a core) some 700
   * timed jobs later, inside the measurement. Run here, the recompilation falls in the warm-up.
   */
  private static void analyze(HikariDataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE conveyor.queue_job");
    }
  }

  static long epochMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }
}
