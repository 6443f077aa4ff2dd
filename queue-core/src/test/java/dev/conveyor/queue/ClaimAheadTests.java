package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The claim-ahead runtime (QueueFetcher): buffered jobs hold real leases, are rescued when their
 * worker dies, handed back at once when it stops, never start when their lease is in doubt, never
 * start twice, and count against a queue's limits like running ones.
 *
 * <p>A runtime buffers only when its jobs start fast (the buffer follows the start rate), so the
 * tests that need a buffer enqueue no-op {@code ca.fast} jobs first and {@code ca.block} jobs
 * behind them: the fast ones raise the rate, and the blocking ones then fill the slots and the
 * buffer.
 */
class ClaimAheadTests extends QueueTestBase {

  private static final int FAST = 400;
  private static final int BLOCKING = 40;

  @BeforeAll
  static void createStartLog() {
    db.execute(
        "CREATE TABLE IF NOT EXISTS public.claim_ahead_start (job_id bigint NOT NULL,"
            + " worker text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
  }

  @AfterAll
  static void dropStartLog() {
    db.execute("DROP TABLE IF EXISTS public.claim_ahead_start");
  }

  @BeforeEach
  void emptyStartLog() {
    db.execute("TRUNCATE public.claim_ahead_start");
  }

  private static void recordStart(JdbcClient jdbc, long id, String worker) {
    ClaimAheadWorker.recordStart(jdbc, id, worker);
  }

  private List<Long> enqueueFastThenBlocking() {
    List<JobRequest> fast = new ArrayList<>();
    for (int i = 0; i < FAST; i++) {
      fast.add(JobRequest.of("ca.fast", "{}"));
    }
    queue.enqueueAll(fast);
    List<JobRequest> blocking = new ArrayList<>();
    for (int i = 0; i < BLOCKING; i++) {
      blocking.add(JobRequest.of("ca.block", "{}"));
    }
    return queue.enqueueAll(blocking).stream().map(e -> e.job().id()).toList();
  }

  private long starts(String worker) {
    return jdbc.sql("SELECT count(*) FROM public.claim_ahead_start WHERE worker = :w")
        .param("w", worker)
        .query(Long.class)
        .single();
  }

  private long startsOf(long id) {
    return jdbc.sql("SELECT count(*) FROM public.claim_ahead_start WHERE job_id = :id")
        .param("id", id)
        .query(Long.class)
        .single();
  }

  /**
   * Blocking jobs {@code owner} holds claimed but has not started: its buffer, as the database sees
   * it.
   */
  private Set<Long> buffered(String owner) {
    return new HashSet<>(
        jdbc.sql(
                "SELECT id FROM conveyor.queue_job WHERE state = 'running' AND lease_owner = :o"
                    // ca.fast jobs whose completion is still being written are running too.
                    + " AND kind = 'ca.block'"
                    + " AND id NOT IN (SELECT job_id FROM public.claim_ahead_start)")
            .param("o", owner)
            .query(Long.class)
            .list());
  }

  private static WorkerConfig slowPolling(WorkerConfig config) {
    // No trim of the buffer (after a poll interval without a free slot) while a test looks at it.
    return config.withPollInterval(Duration.ofSeconds(60));
  }

  @Nested
  class Crash {

    @Test
    void aKilledWorkerHasItsBufferedJobsRescuedAndEachRunsOnce() throws Exception {
      List<Long> blocking = enqueueFastThenBlocking();
      Path log = Files.createTempFile("claim-ahead-worker", ".log");
      Process child = startChild("doomed-ahead", log);
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> starts("doomed-ahead") == 2 && buffered("doomed-ahead").size() > 2);
      } catch (RuntimeException e) {
        throw new AssertionError("the child never buffered; its log:\n" + Files.readString(log), e);
      } finally {
        child.destroyForcibly(); // SIGKILL: no shutdown, no hand-back
        child.waitFor();
      }
      Set<Long> inBuffer = buffered("doomed-ahead");
      assertThat(inBuffer).hasSizeGreaterThan(2);

      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 8)).withWorkerId("rescuer-b"))
              .rescuer(new LeaseRescuer.Config(Duration.ofMillis(100), 100))
              .handler(handler("ca.fast", ctx -> {}))
              .handler(handler("ca.block", ctx -> recordStart(jdbc, ctx.job().id(), "b"))));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count("state = 'completed'") == FAST + BLOCKING);
      Set<Long> startedInChild =
          new HashSet<>(
              jdbc.sql("SELECT job_id FROM public.claim_ahead_start WHERE worker = 'doomed-ahead'")
                  .query(Long.class)
                  .list());
      for (long id : blocking) {
        // The two the dead worker had started run again (at least once, as promised); its
        // buffered jobs never started there, and run once, in the other worker.
        assertThat(startsOf(id))
            .as("starts of job %d", id)
            .isEqualTo(startedInChild.contains(id) ? 2 : 1);
      }
      assertThat(inBuffer).doesNotContainAnyElementsOf(startedInChild);
    }

    private Process startChild(String workerId, Path log) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx128m");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-XX:+UseSerialGC");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(ClaimAheadWorker.class.getName());
      command.add(db.url());
      command.add(db.user());
      command.add(db.password());
      command.add(workerId);
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    }
  }

  @Nested
  class Shutdown {

    @Test
    void stopHandsBufferedJobsBackAtOnceWithoutSpendingTheirAttempt() throws Exception {
      List<Long> blocking = enqueueFastThenBlocking();
      CountDownLatch releaseA = new CountDownLatch(1);
      WorkerRuntime a =
          start(
              WorkerRuntime.builder(dataSource)
                  .config(slowPolling(testConfig(Map.of("default", 2)).withWorkerId("stopping-a")))
                  .rescuer(null)
                  .handler(handler("ca.fast", ctx -> {}))
                  .handler(
                      handler(
                          "ca.block",
                          ctx -> {
                            recordStart(jdbc, ctx.job().id(), "a");
                            releaseA.await();
                          })));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> starts("a") == 2 && buffered("stopping-a").size() > 2);
      Set<Long> inBuffer = buffered("stopping-a");

      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 8)).withWorkerId("taking-b"))
              .rescuer(null)
              .handler(handler("ca.fast", ctx -> {}))
              .handler(handler("ca.block", ctx -> recordStart(jdbc, ctx.job().id(), "b"))));
      // A's stop waits up to 20 s for its two blocked handlers; its buffer must not wait for that,
      // nor for the 30 s lease.
      Thread stopping = Thread.ofPlatform().start(() -> a.stop(Duration.ofSeconds(20)));
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    jdbc.sql(
                                "SELECT count(*) FROM conveyor.queue_job WHERE state = 'completed'"
                                    + " AND id IN (:ids)")
                            .param("ids", inBuffer)
                            .query(Long.class)
                            .single()
                        == inBuffer.size());
        assertThat(stopping.isAlive()).as("A still waits for its running jobs").isTrue();
      } finally {
        releaseA.countDown();
        stopping.join();
      }
      for (long id : inBuffer) {
        Job job = job(id);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.errors()).isEqualTo("[]");
        assertThat(startsOf(id)).isEqualTo(1);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("state = 'completed'") == FAST + BLOCKING);
      assertThat(blocking).allSatisfy(id -> assertThat(startsOf(id)).isEqualTo(1));
    }
  }

  @Nested
  class LeaseTrouble {

    @Test
    void bufferedJobsWhoseLeaseCannotBeExtendedNeverStart() throws Exception {
      List<Long> blocking = enqueueFastThenBlocking();
      CountDownLatch releaseA = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(
                  slowPolling(testConfig(Map.of("default", 2)))
                      .withWorkerId("troubled-a")
                      .withLease(Duration.ofSeconds(3), Duration.ofMillis(200)))
              .rescuer(null)
              .handler(handler("ca.fast", ctx -> {}))
              .handler(
                  handler(
                      "ca.block",
                      ctx -> {
                        recordStart(jdbc, ctx.job().id(), "a");
                        releaseA.await();
                      })));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> starts("a") == 2 && buffered("troubled-a").size() > 2);
      Set<Long> inBuffer = buffered("troubled-a");
      try {
        // From now on the database refuses to extend A's leases, and A's claims.
        db.execute(
            """
            CREATE FUNCTION public.test_refuse_lease() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'test refuses the lease of job %', NEW.id;
            END $$""");
        db.execute(
            "CREATE TRIGGER test_refuse_lease BEFORE UPDATE ON conveyor.queue_job FOR EACH ROW"
                + " WHEN (NEW.state = 'running' AND NEW.lease_owner = 'troubled-a'"
                + " AND (OLD.state = 'available' OR NEW.lease_expires_at > OLD.lease_expires_at))"
                + " EXECUTE FUNCTION public.test_refuse_lease()");
        // The next heartbeat fails: the buffered jobs are handed back (the release is allowed).
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    jdbc.sql(
                                "SELECT count(*) FROM conveyor.queue_job WHERE state = 'available'"
                                    + " AND id IN (:ids)")
                            .param("ids", inBuffer)
                            .query(Long.class)
                            .single()
                        == inBuffer.size());
        // A's slots free up while its leases still cannot be extended: nothing buffered starts.
        releaseA.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("state = 'running'") == 0);
        assertThat(starts("a")).isEqualTo(2);
      } finally {
        releaseA.countDown();
        db.execute("DROP TRIGGER IF EXISTS test_refuse_lease ON conveyor.queue_job");
        db.execute("DROP FUNCTION IF EXISTS public.test_refuse_lease()");
      }
      // Once the database lets it, A claims them again under new leases and runs each once.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("state = 'completed'") == FAST + BLOCKING);
      for (long id : inBuffer) {
        assertThat(startsOf(id)).isEqualTo(1);
        assertThat(job(id).attempt()).isEqualTo(1);
      }
      assertThat(blocking).allSatisfy(id -> assertThat(startsOf(id)).isEqualTo(1));
    }
  }

  @Nested
  class Concurrency {

    @Test
    void noJobStartsTwiceUnderThreeRuntimesOfSixtyFourSlots() {
      int total = 20_000;
      for (int from = 0; from < total; from += 1000) {
        List<JobRequest> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          batch.add(JobRequest.of("count", "{}"));
        }
        queue.enqueueAll(batch);
      }
      Map<Long, AtomicInteger> startsById = new ConcurrentHashMap<>();
      for (int r = 0; r < 3; r++) {
        start(
            WorkerRuntime.builder(db.newDataSource("claim-ahead-" + r, 6))
                .config(testConfig(Map.of("default", 64)))
                .handler(
                    handler(
                        "count",
                        ctx ->
                            startsById
                                .computeIfAbsent(ctx.job().id(), id -> new AtomicInteger())
                                .incrementAndGet())));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> count("state = 'completed'") == total);
      assertThat(startsById).hasSize(total);
      assertThat(startsById.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      assertThat(count("attempt <> 1")).isZero();
    }

    /**
     * Handlers that outrun the completer must not leave completions to pile up behind them (one
     * warmed benchmark run at 200 slots had every handler started after 3.3 s and the last
     * completion committed at 20.9 s): claims wait while a completion batch's worth is pending, so
     * what the worker holds stays bounded and the last completion follows the last handler.
     */
    @Test
    void completionsKeepUpWithHandlersThatOutrunThem() {
      int total = 20_000;
      int completionBatch = 50;
      for (int from = 0; from < total; from += 1000) {
        List<JobRequest> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          batch.add(JobRequest.of("noop", "{}"));
        }
        queue.enqueueAll(batch);
      }
      AtomicLong lastHandler = new AtomicLong();
      AtomicInteger handled = new AtomicInteger();
      WorkerConfig config =
          testConfig(Map.of("default", 200))
              .withMaxCompletionBatch(completionBatch)
              .withLease(Duration.ofSeconds(3), Duration.ofMillis(100));
      WorkerRuntime runtime =
          start(
              WorkerRuntime.builder(db.newDataSource("outrun", 6))
                  .config(config)
                  .handler(
                      handler(
                          "noop",
                          ctx -> {
                            if (handled.incrementAndGet() == total) {
                              lastHandler.set(System.nanoTime());
                            }
                          })));
      int bound = 200 + config.claimAhead() + 2 * completionBatch;
      AtomicInteger mostHeld = new AtomicInteger();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                mostHeld.accumulateAndGet(runtime.status().held(), Math::max);
                return count("state = 'completed'") == total;
              });
      long lag = System.nanoTime() - lastHandler.get();
      assertThat(mostHeld.get()).isLessThanOrEqualTo(bound);
      assertThat(Duration.ofNanos(lag)).isLessThan(Duration.ofSeconds(2));
      assertThat(count("attempt <> 1")).isZero();
    }
  }

  @Nested
  class Limits {

    @Test
    void aLimitedQueueRunsNoMoreThanItsLimitAcrossBufferingWorkers() {
      queue.setLimits("limited", QueueLimits.maxRunning(3));
      List<JobRequest> jobs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        jobs.add(JobRequest.of("fast", "{}").withQueue("limited"));
      }
      for (int i = 0; i < 30; i++) {
        jobs.add(JobRequest.of("slow", "{}").withQueue("limited"));
      }
      queue.enqueueAll(jobs);
      AtomicInteger now = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      AtomicInteger mostInDatabase = new AtomicInteger();
      for (int r = 0; r < 2; r++) {
        start(
            WorkerRuntime.builder(dataSource)
                .config(testConfig(Map.of("limited", 8)))
                .handler(handler("fast", ctx -> {}))
                .handler(
                    handler(
                        "slow",
                        ctx -> {
                          most.accumulateAndGet(now.incrementAndGet(), Math::max);
                          // Running in the database includes what any worker holds buffered.
                          mostInDatabase.accumulateAndGet(
                              (int) count("state = 'running' AND queue = 'limited'"), Math::max);
                          LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                          now.decrementAndGet();
                        })));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count("state = 'completed' AND queue = 'limited'") == 330);
      assertThat(most.get()).isBetween(1, 3);
      assertThat(mostInDatabase.get()).isBetween(1, 3);
    }

    @Test
    void pausingAQueueHandsItsBufferBack() {
      List<Long> blocking = enqueueFastThenBlocking();
      CountDownLatch release = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(slowPolling(testConfig(Map.of("default", 2))).withWorkerId("paused-a"))
              .handler(handler("ca.fast", ctx -> {}))
              .handler(
                  handler(
                      "ca.block",
                      ctx -> {
                        recordStart(jdbc, ctx.job().id(), "a");
                        release.await();
                      })));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> starts("a") == 2 && buffered("paused-a").size() > 2);
      queue.pause("default");
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> buffered("paused-a").isEmpty());
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("state = 'running'") == 0);
        assertThat(starts("a")).isEqualTo(2);
        assertThat(count("state = 'available'")).isEqualTo(BLOCKING - 2);
      } finally {
        release.countDown();
      }
      queue.resume("default");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("state = 'completed'") == FAST + BLOCKING);
      assertThat(blocking).allSatisfy(id -> assertThat(startsOf(id)).isEqualTo(1));
    }
  }
}
