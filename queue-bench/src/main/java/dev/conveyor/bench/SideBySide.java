package dev.conveyor.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.migrations.Migrations;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * The Conveyor side of {@code bench/side-by-side.sh}: one small step per process, so that the
 * script can start a fresh JVM per measurement (as a user starts a worker) and run Graphile
 * Worker's steps the same way. Each step prints one {@code RESULT key=value ...} line on stdout for
 * the script; progress goes to stderr.
 *
 * <ul>
 *   <li>{@code migrate}: the queue schema;
 *   <li>{@code load queue=Q jobs=N [reset=true]}: empties the queue table (when {@code reset}),
 *       enqueues N no-op jobs in batches of 1,000 ({@link JobQueue#enqueueAll}), then VACUUM
 *       ANALYZE and CHECKPOINT;
 *   <li>{@code drain queue=Q jobs=N slots=S [warmup-queue=W warmup-jobs=M] [pool=10]}: one {@link
 *       WorkerRuntime} with {@code WorkerConfig.defaults()} and S slots drains the pre-enqueued
 *       queue; the clock runs from the first handler call until a poll (every 10 ms, its own
 *       connection) finds no available or running job of the queue. With a warm-up queue the same
 *       process first drains that one the same way (a JVM warmed by M jobs), then measures;
 *   <li>{@code latency slots=S jobs=N interval-ms=I warmup=W producer-warmup=P}: a worker on an
 *       idle queue and a {@link LatencyProducer} in another JVM; the latency of a job is from just
 *       before the producer's enqueue call to its handler's start (epoch microseconds, same
 *       machine);
 *   <li>{@code enqueue single=N batch=M}: N jobs one per awaited transaction ({@link
 *       JobQueue#enqueue}, autocommit), then M jobs in batches of 1,000, each after a short untimed
 *       warm-up.
 * </ul>
 *
 * <p>The database comes from {@code CONVEYOR_BENCH_DB_URL/USER/PASSWORD}. Every step may empty
 * {@code conveyor.queue_job}: never point it at a database you care about.
 */
public final class SideBySide {

  static final String USAGE =
      """
      Usage: SideBySide STEP [name=value ...]   (database: $CONVEYOR_BENCH_DB_URL/USER/PASSWORD)
        migrate
        load    queue=bench jobs=100000 [reset=true]
        drain   queue=bench jobs=100000 slots=16 [warmup-queue=warm warmup-jobs=100000] [pool=10]
        latency slots=4 jobs=200 interval-ms=20 warmup=50 producer-warmup=2000 [pool=10]
        enqueue single=5000 batch=100000
        soak    minutes=5 rate=5000 slots=16 retention-s=60 window-s=10 [pool=10]
                [statistics-ms=<the runtime's default>] [quiet-s=0]
      Prints one line "RESULT <step> key=value ..." on stdout.
      """;

  private static final int BATCH = 1_000;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Pattern SENT = Pattern.compile("\"t\"\\s*:\\s*(\\d+)");
  private static final Pattern WARMUP = Pattern.compile("\"w\"\\s*:\\s*1");

  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      System.out.print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    Args a = Args.parse(args);
    String url = System.getenv("CONVEYOR_BENCH_DB_URL");
    if (url == null || url.isBlank()) {
      System.err.println("no database: set CONVEYOR_BENCH_DB_URL");
      System.exit(2);
    }
    String user = System.getenv().getOrDefault("CONVEYOR_BENCH_DB_USER", "postgres");
    String password = System.getenv().getOrDefault("CONVEYOR_BENCH_DB_PASSWORD", "");
    try (BenchDatabase db = new BenchDatabase(url, user, password)) {
      String result =
          switch (args[0]) {
            case "migrate" -> {
              a.rejectUnread();
              Migrations.migrate(db.admin());
              yield "migrate ok=1";
            }
            case "load" -> load(db, a);
            case "drain" -> drain(db, a);
            case "latency" -> latency(db, a);
            case "enqueue" -> enqueue(db, a);
            case "soak" -> {
              int minutes = a.positive("minutes", 5);
              int rate = a.positive("rate", 5_000);
              int slots = a.positive("slots", 16);
              int retention = a.positive("retention-s", 60);
              int window = a.positive("window-s", 10);
              int pool = a.positive("pool", 10);
              Duration statistics =
                  Duration.ofMillis(
                      a.positive(
                          "statistics-ms", (int) PlannerStatistics.DEFAULT_INTERVAL.toMillis()));
              int quiet = a.nonNegative("quiet-s", 0);
              a.rejectUnread();
              yield Soak.run(db, minutes, rate, slots, retention, window, pool, statistics, quiet);
            }
            default ->
                throw new IllegalArgumentException("unknown step: " + args[0] + "\n" + USAGE);
          };
      System.out.println("RESULT " + result);
      System.out.flush();
    }
    // Runtimes and pools are stopped; nothing else should keep the JVM alive.
    System.exit(0);
  }

  // ---------------------------------------------------------------- load

  private static String load(BenchDatabase db, Args a) {
    String queueName = a.string("queue", "bench");
    int jobs = a.positive("jobs", 100_000);
    boolean reset = a.bool("reset", false);
    a.rejectUnread();
    if (reset) {
      db.resetQueue();
    }
    try (HikariDataSource pool = db.newPool("conveyor-side-loader", 1)) {
      JobQueue queue = new JobQueue(pool);
      for (int from = 0; from < jobs; from += BATCH) {
        int n = Math.min(BATCH, jobs - from);
        List<JobRequest> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(JobRequest.of("noop", "{}").withQueue(queueName));
        }
        queue.enqueueAll(batch);
      }
    }
    db.settle();
    return "load queue=" + queueName + " jobs=" + jobs;
  }

  // ---------------------------------------------------------------- drain

  private static String drain(BenchDatabase db, Args a) throws Exception {
    String queueName = a.string("queue", "bench");
    int jobs = a.positive("jobs", 100_000);
    int slots = a.positive("slots", 16);
    int poolSize = a.positive("pool", 10);
    String warmupQueue = a.string("warmup-queue", "");
    int warmupJobs = a.positive("warmup-jobs", 100_000);
    a.rejectUnread();
    String warm = "";
    if (!warmupQueue.isEmpty()) {
      Drained w = drainOnce(db, warmupQueue, warmupJobs, slots, poolSize);
      progress("warm-up drain of %,d jobs: %,.0f jobs/s", warmupJobs, w.rate());
      warm = String.format(" warmup_rate=%.0f", w.rate());
    }
    Drained d = drainOnce(db, queueName, jobs, slots, poolSize);
    progress("drained %,d jobs at %d slots: %,.0f jobs/s", jobs, slots, d.rate());
    // From the JVM's start to the first handler call of this process (a cold start's cost).
    long firstJobMs = warmupQueue.isEmpty() ? d.firstCallEpochMs() - jvmStart() : -1;
    return String.format(
        "drain slots=%d jobs=%d seconds=%.4f rate=%.0f handled=%d first_job_ms=%d%s",
        slots, jobs, d.seconds(), d.rate(), d.handled(), firstJobMs, warm);
  }

  private static long jvmStart() {
    return ManagementFactory.getRuntimeMXBean().getStartTime();
  }

  private record Drained(double seconds, long handled, double rate, long firstCallEpochMs) {}

  private static Drained drainOnce(
      BenchDatabase db, String queueName, int jobs, int slots, int poolSize) throws Exception {
    AtomicLong first = new AtomicLong();
    AtomicLong firstEpochMs = new AtomicLong();
    LongAdder handled = new LongAdder();
    JobHandler noop =
        JobHandler.of(
            "noop",
            ctx -> {
              if (first.get() == 0 && first.compareAndSet(0, System.nanoTime())) {
                firstEpochMs.set(System.currentTimeMillis());
              }
              handled.increment();
            });
    long end;
    try (HikariDataSource pool = db.newPool("conveyor-side-worker", poolSize);
        Connection poller = db.admin().getConnection();
        PreparedStatement unfinished =
            poller.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM conveyor.queue_job WHERE queue = ? AND state ="
                    + " 'available') OR EXISTS (SELECT 1 FROM conveyor.queue_job WHERE queue = ?"
                    + " AND state = 'running')")) {
      unfinished.setString(1, queueName);
      unfinished.setString(2, queueName);
      WorkerRuntime runtime =
          WorkerRuntime.builder(pool)
              .config(WorkerConfig.defaults().withQueues(Map.of(queueName, slots)))
              .handler(noop)
              .build();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
      try {
        runtime.start();
        while (first.get() == 0) {
          checkDeadline(deadline, handled, jobs);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        long next = System.nanoTime();
        while (true) {
          next += POLL_NANOS;
          // The database is asked only once every handler has run: until then some job is
          // unfinished anyway, and a poll would only take PostgreSQL's CPU from the drain (about
          // 1.7 ms each over the dead index entries a drain leaves). drain.js does the same.
          if (handled.sum() >= jobs && !exists(unfinished)) {
            end = System.nanoTime();
            break;
          }
          checkDeadline(deadline, handled, jobs);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
      } finally {
        runtime.stop(Duration.ofSeconds(10));
      }
    }
    long completed = db.count(queueName, "completed");
    if (completed != jobs || handled.sum() != jobs) {
      throw new IllegalStateException(
          "queue "
              + queueName
              + ": "
              + jobs
              + " jobs, "
              + completed
              + " completed in the database, "
              + handled.sum()
              + " handler calls");
    }
    double seconds = (end - first.get()) / 1e9;
    return new Drained(seconds, handled.sum(), jobs / seconds, firstEpochMs.get());
  }

  private static boolean exists(PreparedStatement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static void checkDeadline(long deadline, LongAdder handled, int jobs) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "timed out after 15 minutes: " + handled.sum() + " of " + jobs + " handled");
    }
  }

  // ---------------------------------------------------------------- latency

  private static String latency(BenchDatabase db, Args a) throws Exception {
    int slots = a.positive("slots", 4);
    int jobs = a.positive("jobs", 200);
    int intervalMs = a.nonNegative("interval-ms", 20);
    int warmup = a.nonNegative("warmup", 50);
    int producerWarmup = a.nonNegative("producer-warmup", 2000);
    int poolSize = a.positive("pool", 10);
    a.rejectUnread();
    String queueName = "latency";
    db.resetQueue();
    Map<Long, long[]> seen = new ConcurrentHashMap<>();
    CountDownLatch timed = new CountDownLatch(jobs);
    JobHandler handler =
        JobHandler.of(
            "latency",
            ctx -> {
              long started = LatencyProducer.epochMicros();
              String payload = ctx.payload();
              if (!WARMUP.matcher(payload).find()) {
                Matcher sent = SENT.matcher(payload);
                if (!sent.find()) {
                  throw new IllegalStateException("no send time in " + payload);
                }
                seen.put(ctx.job().id(), new long[] {Long.parseLong(sent.group(1)), started});
                timed.countDown();
              }
            });
    Map<Long, long[]> returned = new HashMap<>();
    try (HikariDataSource pool = db.newPool("conveyor-side-latency-worker", poolSize)) {
      WorkerRuntime runtime =
          WorkerRuntime.builder(pool)
              .config(WorkerConfig.defaults().withQueues(Map.of(queueName, slots)))
              .handler(handler)
              .build();
      try {
        runtime.start();
        awaitListening(runtime);
        Process producer =
            new ProcessBuilder(
                    javaCommand(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    LatencyProducer.class.getName(),
                    Integer.toString(jobs),
                    Integer.toString(warmup),
                    Integer.toString(intervalMs),
                    queueName,
                    Integer.toString(producerWarmup))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader stdout =
            new BufferedReader(
                new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = stdout.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].equals("job")) {
              returned.put(
                  Long.parseLong(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            }
          }
        }
        if (!producer.waitFor(5, TimeUnit.MINUTES) || producer.exitValue() != 0) {
          producer.destroyForcibly();
          throw new IllegalStateException("the latency producer failed (see its stderr above)");
        }
        if (!timed.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "the worker saw " + (jobs - timed.getCount()) + " of " + jobs + " timed jobs");
        }
      } finally {
        runtime.stop(Duration.ofSeconds(10));
      }
    }
    Histogram pickup = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    seen.values().forEach(v -> pickup.recordValue(Math.max(0, v[1] - v[0])));
    Histogram call = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram after = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    returned.forEach(
        (id, v) -> {
          call.recordValue(Math.max(0, v[1] - v[0]));
          long[] s = seen.get(id);
          if (s != null) {
            after.recordValue(Math.max(0, s[1] - v[1]));
          }
        });
    return String.format(
        "latency slots=%d jobs=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f enqueue_p50_ms=%.2f"
            + " enqueue_p99_ms=%.2f after_p50_ms=%.2f after_p99_ms=%.2f",
        slots,
        pickup.getTotalCount(),
        pickup.getValueAtPercentile(50) / 1000.0,
        pickup.getValueAtPercentile(99) / 1000.0,
        pickup.getMaxValue() / 1000.0,
        call.getValueAtPercentile(50) / 1000.0,
        call.getValueAtPercentile(99) / 1000.0,
        after.getValueAtPercentile(50) / 1000.0,
        after.getValueAtPercentile(99) / 1000.0);
  }

  private static void awaitListening(WorkerRuntime runtime) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Boolean.TRUE.equals(runtime.status().listenerConnected())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the worker's LISTEN connection did not come up");
      }
      Thread.sleep(10);
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  // ---------------------------------------------------------------- enqueue

  private static String enqueue(BenchDatabase db, Args a) {
    int single = a.positive("single", 5_000);
    int batched = a.positive("batch", 100_000);
    a.rejectUnread();
    String queueName = "enqueue";
    try (HikariDataSource pool = db.newPool("conveyor-side-enqueue", 1)) {
      JobQueue queue = new JobQueue(pool);
      db.resetQueue();
      enqueueSingle(queue, queueName, Math.min(1_000, single));
      db.resetQueue();
      long t0 = System.nanoTime();
      enqueueSingle(queue, queueName, single);
      double singleRate = single / ((System.nanoTime() - t0) / 1e9);
      progress("enqueue: %,d single jobs at %,.0f/s", single, singleRate);
      db.resetQueue();
      enqueueBatched(queue, queueName, Math.min(10 * BATCH, batched));
      db.resetQueue();
      t0 = System.nanoTime();
      enqueueBatched(queue, queueName, batched);
      double batchRate = batched / ((System.nanoTime() - t0) / 1e9);
      progress("enqueue: %,d jobs in batches of %,d at %,.0f/s", batched, BATCH, batchRate);
      long stored = db.countQueue(queueName);
      if (stored != batched) {
        throw new IllegalStateException("enqueued " + batched + " jobs but found " + stored);
      }
      db.resetQueue();
      return String.format(
          "enqueue single=%d single_rate=%.0f batch=%d batch_rate=%.0f",
          single, singleRate, batched, batchRate);
    }
  }

  private static void enqueueSingle(JobQueue queue, String queueName, int count) {
    for (int i = 0; i < count; i++) {
      queue.enqueue(JobRequest.of("noop", "{\"i\":" + i + "}").withQueue(queueName));
    }
  }

  private static void enqueueBatched(JobQueue queue, String queueName, int count) {
    for (int from = 0; from < count; from += BATCH) {
      int n = Math.min(BATCH, count - from);
      List<JobRequest> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(JobRequest.of("noop", "{\"i\":" + (from + i) + "}").withQueue(queueName));
      }
      queue.enqueueAll(batch);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void progress(String format, Object... args) {
    System.err.printf(
        "[side-by-side %s] %s%n",
        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")),
        String.format(format, args));
  }

  /** {@code name=value} arguments after the step; what is not read is rejected. */
  record Args(Map<String, String> given) {
    static Args parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("expected name=value, got: " + args[i]);
        }
        given.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
      return new Args(given);
    }

    String string(String name, String fallback) {
      String value = given.remove(name);
      return value == null ? fallback : value;
    }

    boolean bool(String name, boolean fallback) {
      String value = given.remove(name);
      return value == null ? fallback : Boolean.parseBoolean(value.trim());
    }

    int nonNegative(String name, int fallback) {
      String value = given.remove(name);
      if (value == null) {
        return fallback;
      }
      int parsed;
      try {
        parsed = Integer.parseInt(value.replace("_", "").trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a number, got: " + value);
      }
      if (parsed < 0) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return parsed;
    }

    int positive(String name, int fallback) {
      int value = nonNegative(name, fallback);
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1");
      }
      return value;
    }

    void rejectUnread() {
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("unknown arguments: " + given.keySet() + "\n" + USAGE);
      }
    }
  }
}
