package dev.conveyor.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.bench.BenchOptions.Part;
import dev.conveyor.migrations.Migrations;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.QueueControl;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Measures queue-core against a real PostgreSQL and prints the results as Markdown on stdout
 * (progress goes to stderr):
 *
 * <ol>
 *   <li><b>Enqueue throughput</b>: one job per transaction ({@link JobQueue#enqueue}) from a few
 *       threads, and batched ({@link JobQueue#enqueueAll});
 *   <li><b>Processing throughput</b>: one {@link WorkerRuntime} drains pre-enqueued no-op jobs, at
 *       several queue concurrencies, timed from {@code start()} until every job is completed in the
 *       database;
 *   <li><b>Pickup latency</b>: a separate producer JVM ({@link LatencyProducer}) enqueues jobs one
 *       at a time carrying their send time; the handler records how long each took to start.
 * </ol>
 *
 * <p>Every run starts from an empty, vacuumed {@code conveyor.queue_job}: do not point it at a
 * database whose queue holds anything you want to keep. Run it with {@code bench/queue-bench.sh};
 * {@code --help} lists the options.
 */
public final class QueueBenchmark {

  private static final String PROCESS_QUEUE = "bench";
  private static final String ENQUEUE_QUEUE = "enqueue";
  private static final String LATENCY_QUEUE = "latency";
  private static final Pattern SENT = Pattern.compile("\"t\"\\s*:\\s*(\\d+)");
  private static final Pattern WARMUP = Pattern.compile("\"w\"\\s*:\\s*1");

  private final BenchOptions options;
  private final BenchDatabase db;
  private final ProcCpu cpu;
  private final boolean statementStats;

  private QueueBenchmark(BenchOptions options, BenchDatabase db) {
    this.options = options;
    this.db = db;
    this.cpu = new ProcCpu(db.postmasterPid());
    this.statementStats = db.statementStatsAvailable();
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try (BenchDatabase db = new BenchDatabase(options.url(), options.user(), options.password())) {
      progress("migrating %s", options.url());
      Migrations.migrate(db.admin());
      new QueueBenchmark(options, db).run();
    }
    // Worker runtimes and pools are stopped; nothing else should keep the JVM alive.
    System.exit(0);
  }

  private void run() throws Exception {
    printHeader();
    if (options.parts().contains(Part.ENQUEUE)) {
      enqueueThroughput();
    }
    if (options.parts().contains(Part.PROCESS)) {
      processingThroughput();
    }
    if (options.parts().contains(Part.LIMITS)) {
      limitsCost();
    }
    if (options.parts().contains(Part.LATENCY)) {
      pickupLatency();
    }
    db.resetQueue();
    out("");
    out("Load average at the end: %s", loadAverage());
  }

  // ---------------------------------------------------------------- header

  private void printHeader() {
    out("# Conveyor queue benchmark");
    out("");
    out("- Date: %s", Instant.now().truncatedTo(ChronoUnit.SECONDS));
    out(
        "- JVM: %s %s (%s), %d processors, max heap %d MiB",
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / (1024 * 1024));
    out("- PostgreSQL: %s", db.queryString("SELECT version()"));
    out("- Server settings not at their default:");
    db.nonDefaultSettings().forEach((name, value) -> out("  - `%s` = %s", name, value));
    out(
        "- Server CPU measured from /proc: %s; pg_stat_statements: %s",
        cpu.knowsPostgres() ? "yes (local server)" : "no", statementStats ? "yes" : "no");
    out("- Load average at the start: %s", loadAverage());
    out(
        "- Worker: `WorkerConfig.defaults()` (poll %s, fetch cooldown %s, claim batch <= %d,"
            + " completion batch <= %d, lease %s, heartbeat %s; LISTEN on, rescuer and pruner"
            + " at defaults); only `withQueues` changed%s. Hikari pool of %d connections per"
            + " worker runtime.",
        human(WorkerConfig.DEFAULT_POLL_INTERVAL),
        human(WorkerConfig.DEFAULT_FETCH_COOLDOWN),
        WorkerConfig.DEFAULT_MAX_CLAIM_BATCH,
        WorkerConfig.DEFAULT_MAX_COMPLETION_BATCH,
        human(WorkerConfig.DEFAULT_LEASE),
        human(WorkerConfig.DEFAULT_HEARTBEAT),
        options.changedKnobs().isEmpty()
            ? ""
            : ", **and for exploration: " + String.join(", ", options.changedKnobs()) + "**",
        options.workerPoolSize());
    out("");
  }

  // ---------------------------------------------------------------- enqueue

  private void enqueueThroughput() throws Exception {
    progress("enqueue: warming up");
    runEnqueue(Math.min(1_000, options.enqueueJobs()), 1, 1);
    runEnqueue(Math.min(10 * options.batchSize(), options.batchJobs()), 1, options.batchSize());

    out("## Enqueue throughput");
    out("");
    out(
        "Queue `%s`, payload `{\"i\": n}`, autocommit (no surrounding transaction). CPU columns:"
            + " CPU seconds and share of one core over the run.",
        ENQUEUE_QUEUE);
    out("");
    out("| Mode | Threads | Jobs | Jobs per call | Elapsed | Jobs/s | Java CPU | PostgreSQL CPU |");
    out("|---|--:|--:|--:|--:|--:|--:|--:|");
    for (int threads : options.enqueueThreads()) {
      progress("enqueue: %,d jobs one by one, %d threads", options.enqueueJobs(), threads);
      EnqueueResult r = runEnqueue(options.enqueueJobs(), threads, 1);
      out(
          "| one by one (`enqueue`) | %d | %,d | 1 | %.2f s | %,.0f | %s | %s |",
          threads,
          r.jobs,
          r.usage.wallSeconds(),
          r.jobs / r.usage.wallSeconds(),
          r.usage.java(),
          r.usage.postgres());
    }
    for (int threads : options.batchThreads()) {
      progress(
          "enqueue: %,d jobs in batches of %,d, %d threads",
          options.batchJobs(), options.batchSize(), threads);
      EnqueueResult r = runEnqueue(options.batchJobs(), threads, options.batchSize());
      out(
          "| batched (`enqueueAll`) | %d | %,d | %,d | %.2f s | %,.0f | %s | %s |",
          threads,
          r.jobs,
          options.batchSize(),
          r.usage.wallSeconds(),
          r.jobs / r.usage.wallSeconds(),
          r.usage.java(),
          r.usage.postgres());
    }
    out("");
  }

  private record EnqueueResult(long jobs, ProcCpu.Usage usage) {}

  private EnqueueResult runEnqueue(int total, int threads, int batchSize) throws Exception {
    db.resetQueue();
    try (HikariDataSource pool = db.newPool("conveyor-bench-enqueue", threads)) {
      JobQueue queue = new JobQueue(pool);
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int share = total / threads + (t < total % threads ? 1 : 0);
        workers.add(
            Thread.ofPlatform()
                .name("bench-enqueue-" + t)
                .start(
                    () -> {
                      try {
                        go.await();
                        enqueue(queue, share, batchSize);
                      } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                      }
                    }));
      }
      ProcCpu.Snapshot start = cpu.snapshot();
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      ProcCpu.Usage usage = cpu.snapshot().since(start);
      if (failure.get() != null) {
        throw new IllegalStateException("enqueue failed", failure.get());
      }
      long stored = db.countQueue(ENQUEUE_QUEUE);
      if (stored != total) {
        throw new IllegalStateException("enqueued " + total + " jobs but found " + stored);
      }
      return new EnqueueResult(total, usage);
    }
  }

  private static void enqueue(JobQueue queue, int count, int batchSize) {
    if (batchSize == 1) {
      for (int i = 0; i < count; i++) {
        queue.enqueue(request(ENQUEUE_QUEUE, "noop", i));
      }
      return;
    }
    for (int from = 0; from < count; from += batchSize) {
      int n = Math.min(batchSize, count - from);
      List<JobRequest> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(request(ENQUEUE_QUEUE, "noop", from + i));
      }
      queue.enqueueAll(batch);
    }
  }

  private static JobRequest request(String queue, String kind, int i) {
    return JobRequest.of(kind, "{\"i\":" + i + "}").withQueue(queue);
  }

  // ---------------------------------------------------------------- processing

  private void processingThroughput() throws Exception {
    out("## Processing throughput");
    out("");
    out(
        "%,d no-op jobs pre-enqueued on queue `%s` (batches of %,d, then VACUUM ANALYZE and"
            + " CHECKPOINT), drained by one `WorkerRuntime` in this JVM. Elapsed: from"
            + " `runtime.start()` until the last completion was committed (the runtime's"
            + " `conveyor.jobs.completed` counter, checked every millisecond; the database count"
            + " is verified afterwards). \"Handlers done\": when the last handler returned.",
        options.processJobs(), PROCESS_QUEUE, options.batchSize());
    out("");
    out("| Concurrency | Jobs | Handlers done | Elapsed | Jobs/s | Java CPU | PostgreSQL CPU |");
    out("|--:|--:|--:|--:|--:|--:|--:|");
    List<String> statementTables = new ArrayList<>();
    for (int concurrency : options.concurrencies()) {
      progress("process: %,d jobs at concurrency %d", options.processJobs(), concurrency);
      ProcessResult r = runProcessing(concurrency);
      out(
          "| %d | %,d | %.2f s | %.2f s | %,.0f | %s | %s |",
          concurrency,
          r.jobs,
          r.handlersDoneSeconds,
          r.usage.wallSeconds(),
          r.jobs / r.usage.wallSeconds(),
          r.usage.java(),
          r.usage.postgres());
      if (r.statements != null) {
        statementTables.add(r.statements);
      }
      progress(
          "process: concurrency %d: %,.0f jobs/s", concurrency, r.jobs / r.usage.wallSeconds());
    }
    out("");
    if (!statementTables.isEmpty()) {
      out("### Statements per processing run (pg_stat_statements)");
      out("");
      statementTables.forEach(QueueBenchmark::out);
    }
  }

  private record ProcessResult(
      long jobs, double handlersDoneSeconds, ProcCpu.Usage usage, String statements) {}

  // ---------------------------------------------------------------- limits

  /**
   * What queue controls cost the claim path: the same drain with no control row, with another queue
   * limited, and with a limit on this queue that never binds (every claim then takes the
   * serialized, limited claim), and with a per-key limit over 100 keys that never binds.
   */
  private void limitsCost() throws Exception {
    int concurrency =
        options.concurrencies().contains(200) ? 200 : options.concurrencies().getLast();
    out("## Cost of queue limits");
    out("");
    out(
        "The processing run above at concurrency %d, %,d jobs, under four settings. A limit set"
            + " far above what the worker can run never binds, so the difference is the cost of"
            + " the limited claim itself (a transaction that locks the queue's control row, then"
            + " counts running jobs and ranks candidates per key).",
        concurrency, options.processJobs());
    out("");
    out("| Setting | Claim path | Elapsed | Jobs/s | Java CPU | PostgreSQL CPU |");
    out("|---|---|--:|--:|--:|--:|");
    record Setting(String name, String path, java.util.function.Consumer<JobQueue> apply) {}
    List<Setting> settings =
        List.of(
            new Setting("no limits anywhere", "plain", q -> {}),
            new Setting(
                "another queue limited (max 2 running)",
                "plain",
                q -> q.setLimits("other", QueueControl.QueueLimits.maxRunning(2))),
            new Setting(
                "this queue: max running " + concurrency * 10,
                "limited",
                q ->
                    q.setLimits(
                        PROCESS_QUEUE, QueueControl.QueueLimits.maxRunning(concurrency * 10))),
            new Setting(
                "this queue: max " + concurrency + " per key, 100 keys",
                "limited",
                q ->
                    q.setLimits(
                        PROCESS_QUEUE,
                        QueueControl.QueueLimits.NONE.withMaxRunningPerKey(concurrency))));
    progress("limits: warm-up run (not reported)");
    runProcessing(concurrency, q -> {});
    for (Setting setting : settings) {
      progress("limits: %s", setting.name());
      ProcessResult r = runProcessing(concurrency, setting.apply());
      out(
          "| %s | %s | %.2f s | %,.0f | %s | %s |",
          setting.name(),
          setting.path(),
          r.usage.wallSeconds(),
          r.jobs / r.usage.wallSeconds(),
          r.usage.java(),
          r.usage.postgres());
    }
    out("");
  }

  private ProcessResult runProcessing(int concurrency) throws Exception {
    return runProcessing(concurrency, q -> {});
  }

  private ProcessResult runProcessing(
      int concurrency, java.util.function.Consumer<JobQueue> controls) throws Exception {
    int total = options.processJobs();
    db.resetQueue();
    try (HikariDataSource loader = db.newPool("conveyor-bench-loader", 1)) {
      JobQueue queue = new JobQueue(loader);
      for (int from = 0; from < total; from += options.batchSize()) {
        int n = Math.min(options.batchSize(), total - from);
        List<JobRequest> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(
              JobRequest.of("noop", "{}")
                  .withQueue(PROCESS_QUEUE)
                  .withPartitionKey("key-" + ((from + i) % 100)));
        }
        queue.enqueueAll(batch);
      }
      controls.accept(queue);
    }
    db.settle();
    if (statementStats) {
      db.execute("SELECT pg_stat_statements_reset()");
    }

    AtomicLong handled = new AtomicLong();
    AtomicLong handlersDone = new AtomicLong();
    JobHandler noop =
        JobHandler.of(
            "noop",
            ctx -> {
              if (handled.incrementAndGet() == total) {
                handlersDone.set(System.nanoTime());
              }
            });
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    QueueMetrics metrics = new QueueMetrics(registry, ObservationRegistry.NOOP);
    try (HikariDataSource pool = db.newPool("conveyor-bench-worker", options.workerPoolSize())) {
      WorkerRuntime runtime =
          WorkerRuntime.builder(pool)
              .config(options.workerConfig(Map.of(PROCESS_QUEUE, concurrency)))
              .metrics(metrics)
              .handler(noop)
              .build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
      ProcCpu.Snapshot start = cpu.snapshot();
      ProcCpu.Usage usage;
      try {
        runtime.start();
        Counter completed = null;
        while (true) {
          if (completed == null) {
            completed =
                registry.find("conveyor.jobs.completed").tag("queue", PROCESS_QUEUE).counter();
          }
          if (completed != null && completed.count() >= total) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "timed out: "
                    + handled.get()
                    + " handled, "
                    + (completed == null ? 0 : (long) completed.count())
                    + " completed of "
                    + total);
          }
          Thread.sleep(1);
        }
        usage = cpu.snapshot().since(start);
      } finally {
        runtime.stop(Duration.ofSeconds(10));
      }
      awaitCompletedInDatabase(PROCESS_QUEUE, total);
      double handlersDoneSeconds = (handlersDone.get() - start.nanos()) / 1e9;
      String statements = statementStats ? statementTable(concurrency) : null;
      return new ProcessResult(total, handlersDoneSeconds, usage, statements);
    }
  }

  private void awaitCompletedInDatabase(String queue, long total) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long completed;
    while ((completed = db.count(queue, "completed")) < total) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the runtime counted " + total + " completions but the database holds " + completed);
      }
      Thread.sleep(20);
    }
  }

  private String statementTable(int concurrency) {
    StringBuilder table = new StringBuilder();
    table.append("Concurrency ").append(concurrency).append(":\n\n");
    table.append("| Calls | Rows | Rows/call | Total ms | Mean ms | Statement |\n");
    table.append("|--:|--:|--:|--:|--:|---|\n");
    for (String[] row : db.topStatements(8)) {
      String rowsPerCall = "";
      try {
        long calls = Long.parseLong(row[0]);
        rowsPerCall =
            calls == 0 ? "" : String.format("%.1f", Long.parseLong(row[1]) / (double) calls);
      } catch (NumberFormatException e) {
        // an error row
      }
      String query = row[4].replace("|", "\\|");
      if (query.length() > 120) {
        query = query.substring(0, 120) + "…";
      }
      table.append(
          String.format(
              "| %s | %s | %s | %s | %s | `%s` |%n",
              row[0], row[1], rowsPerCall, row[2], row[3], query));
    }
    return table.toString();
  }

  // ---------------------------------------------------------------- latency

  /** What the worker saw of one timed job (epoch microseconds). */
  private record Pickup(long sent, long created, long started, long handled) {}

  private void pickupLatency() throws Exception {
    int jobs = options.latencyJobs();
    int warmup = options.latencyWarmup();
    progress(
        "latency: %d warm-up + %d timed jobs from a producer process, %d ms apart",
        warmup, jobs, options.latencyIntervalMs());
    db.resetQueue();
    Map<Long, Pickup> pickups = new ConcurrentHashMap<>();
    CountDownLatch seen = new CountDownLatch(warmup + jobs);
    JobHandler handler =
        JobHandler.of(
            "latency",
            ctx -> {
              long handled = LatencyProducer.epochMicros();
              String payload = ctx.payload();
              if (!WARMUP.matcher(payload).find()) {
                Matcher sent = SENT.matcher(payload);
                if (!sent.find()) {
                  throw new IllegalStateException("no send time in " + payload);
                }
                Job job = ctx.job();
                pickups.put(
                    job.id(),
                    new Pickup(
                        Long.parseLong(sent.group(1)),
                        micros(job.createdAt()),
                        job.startedAt() == null ? 0 : micros(job.startedAt()),
                        handled));
              }
              seen.countDown();
            });
    Map<Long, Long> returned = new HashMap<>();
    ProcCpu.Usage usage;
    long[] notified = new long[0];
    NotifyProbe probe = options.latencyProbe() ? new NotifyProbe(db, LATENCY_QUEUE) : null;
    try (HikariDataSource pool =
        db.newPool("conveyor-bench-latency-worker", options.workerPoolSize())) {
      WorkerRuntime runtime =
          WorkerRuntime.builder(pool)
              .config(options.workerConfig(Map.of(LATENCY_QUEUE, options.latencyConcurrency())))
              .handler(handler)
              .build();
      try {
        runtime.start();
        awaitListening(runtime);
        ProcCpu.Snapshot start = cpu.snapshot();
        Process producer = startProducer(jobs, warmup);
        try (BufferedReader stdout =
            new BufferedReader(
                new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = stdout.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].equals("job")) {
              returned.put(Long.parseLong(f[1]), Long.parseLong(f[3]));
            }
          }
        }
        if (!producer.waitFor(options.timeoutSeconds(), TimeUnit.SECONDS)
            || producer.exitValue() != 0) {
          producer.destroyForcibly();
          throw new IllegalStateException("the latency producer failed (see its stderr above)");
        }
        if (!seen.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "the worker saw " + (warmup + jobs - seen.getCount()) + " of " + (warmup + jobs));
        }
        usage = cpu.snapshot().since(start);
      } finally {
        runtime.stop(Duration.ofSeconds(10));
        if (probe != null) {
          probe.close();
          notified = probe.arrivals();
        }
      }
    }

    Histogram total = histogram();
    Histogram call = histogram();
    Histogram afterReturn = histogram();
    Histogram toInsert = histogram();
    Histogram insertToClaim = histogram();
    Histogram claimToHandler = histogram();
    Histogram insertToNotified = histogram();
    Histogram notifiedToClaim = histogram();
    long workerFirst = 0;
    for (Map.Entry<Long, Pickup> e : pickups.entrySet()) {
      Pickup p = e.getValue();
      total.recordValue(Math.max(0, p.handled - p.sent));
      toInsert.recordValue(Math.max(0, p.created - p.sent));
      insertToClaim.recordValue(Math.max(0, p.started - p.created));
      claimToHandler.recordValue(Math.max(0, p.handled - p.started));
      long arrival = NotifyProbe.firstAtOrAfter(notified, p.created);
      if (arrival > 0) {
        insertToNotified.recordValue(arrival - p.created);
        notifiedToClaim.recordValue(Math.max(0, p.started - arrival));
      }
      Long back = returned.get(e.getKey());
      if (back != null) {
        call.recordValue(Math.max(0, back - p.sent));
        afterReturn.recordValue(Math.max(0, p.handled - back));
        if (p.handled < back) {
          workerFirst++;
        }
      }
    }

    out("## Pickup latency");
    out("");
    out(
        "A separate producer JVM enqueues %d jobs one at a time (each its own transaction), %d"
            + " ms apart, after %d untimed warm-up jobs (and, before those, %,d back-to-back"
            + " untimed enqueues on the same queue, to warm up both JVMs); each payload carries"
            + " `Instant.now()` in epoch microseconds taken just before the enqueue call. One"
            + " `WorkerRuntime` on the otherwise idle queue `%s` (concurrency %d, poll interval"
            + " %s, LISTEN on) records `now - sent` when the handler starts. The latency"
            + " therefore includes the producer's insert and commit.",
        jobs,
        options.latencyIntervalMs(),
        warmup,
        options.latencyProducerWarmup(),
        LATENCY_QUEUE,
        options.latencyConcurrency(),
        human(WorkerConfig.DEFAULT_POLL_INTERVAL));
    out("");
    out("| Jobs | p50 | p90 | p95 | p99 | max | mean |");
    out("|--:|--:|--:|--:|--:|--:|--:|");
    out(
        "| %d | %s | %s | %s | %s | %s | %s |",
        total.getTotalCount(),
        ms(total.getValueAtPercentile(50)),
        ms(total.getValueAtPercentile(90)),
        ms(total.getValueAtPercentile(95)),
        ms(total.getValueAtPercentile(99)),
        ms(total.getMaxValue()),
        ms((long) total.getMean()));
    out("");
    out(
        "Breakdown (each segment's own percentiles, so they do not add up). `created_at` and"
            + " `started_at` are the database's `now()` of the insert and of the claim"
            + " statement; same machine, same clock.%s CPU over the latency run: Java (worker)"
            + " %s, PostgreSQL %s.",
        probe == null
            ? ""
            : " **Diagnostics run**: a second LISTEN connection in this JVM (`--latency-probe`)"
                + " timed each NOTIFY's arrival; it competes for the CPU with the runtime.",
        usage.java(),
        usage.postgres());
    out("");
    out("| Segment | p50 | p90 | p99 | max |");
    out("|---|--:|--:|--:|--:|");
    segment("sent → handler start (the latency above)", total);
    segment("sent → `enqueue` returned (producer: insert + commit)", call);
    segment("`enqueue` returned → handler start", afterReturn);
    segment("sent → `created_at` (producer to server)", toInsert);
    segment(
        "`created_at` → `started_at` (insert, commit, NOTIFY, wake-up, claim start)",
        insertToClaim);
    if (probe != null) {
      segment(
          "`created_at` → NOTIFY seen by a probe in this JVM (insert, commit, delivery)",
          insertToNotified);
      segment(
          "NOTIFY seen → `started_at` (runtime's listener, fetcher wake-up, claim start)",
          notifiedToClaim);
    }
    segment("`started_at` → handler start (claim, dispatch)", claimToHandler);
    out("");
    if (workerFirst > 0) {
      out(
          "%d of %d handlers started before the producer's `enqueue` call had returned.",
          workerFirst, total.getTotalCount());
      out("");
    }
  }

  private static Histogram histogram() {
    return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  }

  private static void segment(String name, Histogram h) {
    if (h.getTotalCount() == 0) {
      out("| %s | n/a | n/a | n/a | n/a |", name);
      return;
    }
    out(
        "| %s | %s | %s | %s | %s |",
        name,
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)),
        ms(h.getMaxValue()));
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static void awaitListening(WorkerRuntime runtime) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Boolean.TRUE.equals(runtime.status().listenerConnected())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the worker's LISTEN connection did not come up");
      }
      Thread.sleep(10);
    }
  }

  private Process startProducer(int jobs, int warmup) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            LatencyProducer.class.getName(),
            Integer.toString(jobs),
            Integer.toString(warmup),
            Integer.toString(options.latencyIntervalMs()),
            LATENCY_QUEUE,
            Integer.toString(options.latencyProducerWarmup()));
    builder.environment().put("CONVEYOR_BENCH_DB_URL", db.url());
    builder.environment().put("CONVEYOR_BENCH_DB_USER", db.user());
    builder.environment().put("CONVEYOR_BENCH_DB_PASSWORD", db.password());
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    return builder.start();
  }

  // ---------------------------------------------------------------- helpers

  private static String human(Duration d) {
    return d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toMillis() / 1000.0 + " s";
  }

  private static String ms(long micros) {
    return String.format("%.2f ms", micros / 1000.0);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static void out(String format, Object... args) {
    System.out.println(args.length == 0 ? format : String.format(format, args));
    System.out.flush();
  }

  private static void progress(String format, Object... args) {
    System.err.printf(
        "[bench %s] %s%n",
        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")),
        String.format(format, args));
  }
}
