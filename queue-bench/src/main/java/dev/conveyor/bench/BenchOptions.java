package dev.conveyor.bench;

import dev.conveyor.queue.runtime.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's command line: {@code --name=value} options, every one optional. The database
 * comes from {@code --url/--user/--password} or {@code CONVEYOR_BENCH_DB_URL/USER/PASSWORD}.
 */
record BenchOptions(
    String url,
    String user,
    String password,
    Set<Part> parts,
    int enqueueJobs,
    List<Integer> enqueueThreads,
    int batchJobs,
    int batchSize,
    List<Integer> batchThreads,
    int processJobs,
    List<Integer> concurrencies,
    int latencyJobs,
    int latencyWarmup,
    int latencyIntervalMs,
    int latencyConcurrency,
    int latencyProducerWarmup,
    boolean latencyProbe,
    int workerPoolSize,
    int fetchCooldownMs,
    int maxClaimBatch,
    int timeoutSeconds) {

  /** The worker configuration of every runtime: defaults, with the knobs given here. */
  WorkerConfig workerConfig(Map<String, Integer> queues) {
    return WorkerConfig.defaults()
        .withQueues(queues)
        .withFetchCooldown(Duration.ofMillis(fetchCooldownMs))
        .withMaxClaimBatch(maxClaimBatch);
  }

  /** The knobs that differ from {@link WorkerConfig#defaults()}, for the report. */
  List<String> changedKnobs() {
    List<String> changed = new ArrayList<>();
    if (fetchCooldownMs != WorkerConfig.DEFAULT_FETCH_COOLDOWN.toMillis()) {
      changed.add("fetchCooldown = " + fetchCooldownMs + " ms");
    }
    if (maxClaimBatch != WorkerConfig.DEFAULT_MAX_CLAIM_BATCH) {
      changed.add("maxClaimBatch = " + maxClaimBatch);
    }
    return changed;
  }

  enum Part {
    ENQUEUE,
    PROCESS,
    LIMITS,
    LATENCY
  }

  static final String USAGE =
      """
      Usage: QueueBenchmark [--option=value ...]

        --url=JDBC_URL            database (else $CONVEYOR_BENCH_DB_URL)
        --user=NAME               (else $CONVEYOR_BENCH_DB_USER, default postgres)
        --password=SECRET         (else $CONVEYOR_BENCH_DB_PASSWORD, default empty)
        --parts=enqueue,process,limits,latency   which parts to run (default: all four)

        --enqueue-jobs=10000      jobs per one-by-one enqueue run (JobQueue.enqueue, autocommit)
        --enqueue-threads=1,4     one run per thread count
        --batch-jobs=100000       jobs per batched enqueue run (JobQueue.enqueueAll)
        --batch-size=1000         jobs per enqueueAll call
        --batch-threads=1,2       one run per thread count

        --process-jobs=100000     no-op jobs drained per processing run
        --concurrency=10,50,200,1000   one processing run per queue concurrency

        --latency-jobs=200        timed jobs sent by the separate producer process
        --latency-warmup=50       untimed jobs sent first
        --latency-interval-ms=20  pause between two enqueues of the producer
        --latency-concurrency=10  concurrency of the 'latency' queue
        --latency-producer-warmup=2000  back-to-back enqueues on an unworked queue that warm
                                  up the producer JVM before anything is sent to the worker
        --latency-probe=false     diagnostics: a second LISTEN connection in this JVM notes
                                  when each NOTIFY arrives, splitting the latency further
                                  (it competes for the CPU, so it is off for reference runs)

        --worker-pool-size=10     connections of each worker runtime's pool
        --fetch-cooldown-ms=2     WorkerConfig.fetchCooldown (exploration; default = default)
        --max-claim-batch=1000    WorkerConfig.maxClaimBatch (exploration; default = default)
        --timeout-seconds=900     give up on a run after this long
      """;

  static BenchOptions parse(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String arg : args) {
      if (arg.equals("-h") || arg.equals("--help")) {
        System.out.print(USAGE);
        System.exit(0);
      }
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got: " + arg + "\n" + USAGE);
      }
      int eq = arg.indexOf('=');
      given.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Reader r = new Reader(given);
    String url = r.string("url", env("CONVEYOR_BENCH_DB_URL", ""));
    if (url.isBlank()) {
      throw new IllegalArgumentException(
          "no database: pass --url=jdbc:postgresql://... or set CONVEYOR_BENCH_DB_URL");
    }
    BenchOptions options =
        new BenchOptions(
            url,
            r.string("user", env("CONVEYOR_BENCH_DB_USER", "postgres")),
            r.string("password", env("CONVEYOR_BENCH_DB_PASSWORD", "")),
            r.parts("parts"),
            r.positive("enqueue-jobs", 10_000),
            r.positives("enqueue-threads", List.of(1, 4)),
            r.positive("batch-jobs", 100_000),
            r.positive("batch-size", 1_000),
            r.positives("batch-threads", List.of(1, 2)),
            r.positive("process-jobs", 100_000),
            r.positives("concurrency", List.of(10, 50, 200, 1000)),
            r.positive("latency-jobs", 200),
            r.nonNegative("latency-warmup", 50),
            r.nonNegative("latency-interval-ms", 20),
            r.positive("latency-concurrency", 10),
            r.nonNegative("latency-producer-warmup", 2000),
            r.bool("latency-probe", false),
            r.positive("worker-pool-size", 10),
            r.nonNegative(
                "fetch-cooldown-ms", (int) WorkerConfig.DEFAULT_FETCH_COOLDOWN.toMillis()),
            r.positive("max-claim-batch", WorkerConfig.DEFAULT_MAX_CLAIM_BATCH),
            r.positive("timeout-seconds", 900));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown options: " + given.keySet() + "\n" + USAGE);
    }
    return options;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** Takes options out of the map as they are read, so that what is left is unknown. */
  private record Reader(Map<String, String> given) {
    String string(String name, String fallback) {
      String value = given.remove(name);
      return value == null ? fallback : value;
    }

    int positive(String name, int fallback) {
      int value = nonNegative(name, fallback);
      if (value < 1) {
        throw new IllegalArgumentException("--" + name + " must be at least 1");
      }
      return value;
    }

    int nonNegative(String name, int fallback) {
      String value = given.remove(name);
      if (value == null) {
        return fallback;
      }
      int parsed = Integer.parseInt(value.replace("_", "").trim());
      if (parsed < 0) {
        throw new IllegalArgumentException("--" + name + " must not be negative");
      }
      return parsed;
    }

    boolean bool(String name, boolean fallback) {
      String value = given.remove(name);
      return value == null ? fallback : Boolean.parseBoolean(value.trim());
    }

    List<Integer> positives(String name, List<Integer> fallback) {
      String value = given.remove(name);
      if (value == null) {
        return fallback;
      }
      List<Integer> list = new ArrayList<>();
      for (String part : value.split(",")) {
        int parsed = Integer.parseInt(part.replace("_", "").trim());
        if (parsed < 1) {
          throw new IllegalArgumentException("--" + name + " values must be at least 1");
        }
        list.add(parsed);
      }
      return List.copyOf(list);
    }

    Set<Part> parts(String name) {
      String value = given.remove(name);
      if (value == null || value.equalsIgnoreCase("all")) {
        return EnumSet.allOf(Part.class);
      }
      Set<Part> parts = EnumSet.noneOf(Part.class);
      for (String part : value.split(",")) {
        parts.add(Part.valueOf(part.trim().toUpperCase(Locale.ROOT)));
      }
      return parts;
    }
  }
}
