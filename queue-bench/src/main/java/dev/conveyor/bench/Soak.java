package dev.conveyor.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Minutes of churn through one table (issue 17, "Sustained"): a producer thread enqueues {@code
 * rate} jobs per second (a batch every 20 ms, each job carrying the wall-clock time taken just
 * before its enqueue call) while one runtime with {@code WorkerConfig.defaults()} and {@code slots}
 * slots works them off, the pruner deleting finished rows older than {@code retention-s} as it goes
 * and autovacuum running. Every {@code window-s} it prints the window's enqueued and handled jobs
 * per second, the backlog, pickup latency p50 / p99 / max (send time to handler start) and the
 * table's live and dead rows; at the end, the overall numbers and the tail: from the last handler
 * call to the poll that found no unfinished job. With {@code quiet-s}, the producer first sends one
 * job a tick (50 a second) for that many seconds: a burst into a quiet queue, whose table had a
 * page or two when the worker's statements were first planned (session 16). Ten seconds in, one
 * {@code ANALYZE} of the table, as bench/graphile/soak.js does for Graphile Worker's: the run
 * starts from a truncated table whose statistics say it is empty, and a steady state has current
 * ones (Conveyor's runtime would analyze it itself within seconds; Graphile Worker relies on
 * autovacuum).
 */
final class Soak {

  private static final Pattern SENT = Pattern.compile("\"t\"\\s*:\\s*(\\d+)");
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long ANALYZE_AFTER_SECONDS = 10;

  private Soak() {}

  static String run(
      BenchDatabase db,
      int minutes,
      int rate,
      int slots,
      int retentionSeconds,
      int windowSeconds,
      int poolSize,
      Duration statisticsInterval,
      int quietSeconds)
      throws Exception {
    String queueName = "soak";
    db.resetQueue();
    Recorder pickup = new Recorder(TimeUnit.MINUTES.toMicros(10), 3);
    Histogram overall = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    LongAdder handled = new LongAdder();
    AtomicLong lastHandlerNanos = new AtomicLong();
    JobHandler handler =
        JobHandler.of(
            "soak",
            context -> {
              long now = LatencyProducer.epochMicros();
              Matcher sent = SENT.matcher(context.payload());
              if (!sent.find()) {
                throw new IllegalStateException("no send time in " + context.payload());
              }
              pickup.recordValue(Math.max(0, now - Long.parseLong(sent.group(1))));
              handled.increment();
              lastHandlerNanos.set(System.nanoTime());
            });
    JobPruner.Config pruner =
        new JobPruner.Config(
            Duration.ofSeconds(10),
            Duration.ofSeconds(retentionSeconds),
            Duration.ofSeconds(retentionSeconds),
            JobPruner.Config.DEFAULT_BATCH_SIZE,
            JobPruner.Config.DEFAULT_MAX_BATCHES);
    AtomicLong enqueued = new AtomicLong();
    long perTick = Math.max(1, Math.round(rate * (TICK_NANOS / 1e9)));
    long durationNanos = TimeUnit.MINUTES.toNanos(minutes);
    double worstWindowP99 = 0;
    double slowestWindowRate = Double.MAX_VALUE;
    long maxBacklog = 0;
    long tailMillis;
    long started;
    try (HikariDataSource workerPool = db.newPool("conveyor-soak-worker", poolSize);
        HikariDataSource producerPool = db.newPool("conveyor-soak-producer", 1);
        ScheduledExecutorService analyzer = Executors.newSingleThreadScheduledExecutor()) {
      WorkerRuntime runtime =
          WorkerRuntime.builder(workerPool)
              .config(WorkerConfig.defaults().withQueues(Map.of(queueName, slots)))
              .pruner(pruner)
              .plannerStatistics(statisticsInterval)
              .handler(handler)
              .build();
      JobQueue queue = new JobQueue(producerPool);
      runtime.start();
      started = System.nanoTime();
      ScheduledFuture<?> analyzed =
          analyzer.schedule(
              () -> db.execute("ANALYZE conveyor.queue_job"),
              ANALYZE_AFTER_SECONDS,
              TimeUnit.SECONDS);
      long end = started + durationNanos;
      Thread producer =
          Thread.ofPlatform()
              .name("soak-producer")
              .start(
                  () -> {
                    long next = System.nanoTime();
                    long quietUntil = next + TimeUnit.SECONDS.toNanos(quietSeconds);
                    while (next < end && !Thread.currentThread().isInterrupted()) {
                      // A quiet queue first (one job a tick), if asked: then the burst.
                      long jobs = next < quietUntil ? 1 : perTick;
                      List<JobRequest> batch = new ArrayList<>((int) jobs);
                      long sent = LatencyProducer.epochMicros();
                      for (int i = 0; i < jobs; i++) {
                        batch.add(
                            JobRequest.of("soak", "{\"t\":" + sent + "}").withQueue(queueName));
                      }
                      queue.enqueueAll(batch);
                      enqueued.addAndGet(jobs);
                      next += TICK_NANOS;
                      long wait = next - System.nanoTime();
                      if (wait > 0) {
                        LockSupport.parkNanos(wait);
                      }
                    }
                  });
      try {
        progress(
            "soak: %d min, %,d jobs/s offered (after %d s of 50), %d slots, retention %d s",
            minutes, rate, quietSeconds, slots, retentionSeconds);
        progress(
            "| s | enqueued/s | handled/s | backlog | pickup p50 / p99 / max ms | live rows | dead rows |");
        long windowStart = System.nanoTime();
        long lastEnqueued = 0;
        long lastHandled = 0;
        Histogram window = null;
        while (producer.isAlive()) {
          producer.join(TimeUnit.SECONDS.toMillis(windowSeconds));
          long now = System.nanoTime();
          double seconds = (now - windowStart) / 1e9;
          if (seconds < windowSeconds * 0.5 && producer.isAlive()) {
            continue;
          }
          window = pickup.getIntervalHistogram(window);
          overall.add(window);
          long e = enqueued.get();
          long h = handled.sum();
          long backlog = e - h;
          maxBacklog = Math.max(maxBacklog, backlog);
          double handledRate = (h - lastHandled) / seconds;
          double p99 = window.getValueAtPercentile(99) / 1000.0;
          if (producer.isAlive()) {
            worstWindowP99 = Math.max(worstWindowP99, p99);
            slowestWindowRate = Math.min(slowestWindowRate, handledRate);
          }
          long[] rows = tableRows(db);
          progress(
              "| %.0f | %,.0f | %,.0f | %,d | %.2f / %.2f / %.2f | %,d | %,d |",
              (now - started) / 1e9,
              (e - lastEnqueued) / seconds,
              handledRate,
              backlog,
              window.getValueAtPercentile(50) / 1000.0,
              p99,
              window.getMaxValue() / 1000.0,
              rows[0],
              rows[1]);
          lastEnqueued = e;
          lastHandled = h;
          windowStart = now;
        }
        long total = enqueued.get();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (handled.sum() < total) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(handled.sum() + " of " + total + " jobs handled");
          }
          Thread.sleep(10);
        }
        while (db.count(queueName, "available") + db.count(queueName, "running") > 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("jobs left unfinished after the soak");
          }
          Thread.sleep(10);
        }
        tailMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHandlerNanos.get());
        analyzed.get();
        overall.add(pickup.getIntervalHistogram());
      } finally {
        producer.interrupt();
        producer.join();
        runtime.stop(Duration.ofSeconds(10));
      }
      long total = enqueued.get();
      if (handled.sum() != total) {
        throw new IllegalStateException(total + " jobs enqueued, " + handled.sum() + " handled");
      }
      double seconds = (lastHandlerNanos.get() - started) / 1e9;
      return String.format(
          "soak minutes=%d offered=%d slots=%d jobs=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f"
              + " max_ms=%.2f worst_window_p99_ms=%.2f slowest_window_rate=%.0f max_backlog=%d"
              + " tail_ms=%d",
          minutes,
          rate,
          slots,
          total,
          total / seconds,
          overall.getValueAtPercentile(50) / 1000.0,
          overall.getValueAtPercentile(99) / 1000.0,
          overall.getMaxValue() / 1000.0,
          worstWindowP99,
          slowestWindowRate,
          maxBacklog,
          tailMillis);
    }
  }

  private static long[] tableRows(BenchDatabase db) {
    String live =
        db.queryString(
            "SELECT n_live_tup || ' ' || n_dead_tup FROM pg_stat_user_tables"
                + " WHERE schemaname = 'conveyor' AND relname = 'queue_job'");
    String[] f = live.split(" ");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
  }

  private static void progress(String format, Object... args) {
    System.err.println(String.format(format, args));
  }
}
