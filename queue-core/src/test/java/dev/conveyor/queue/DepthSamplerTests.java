package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.JobRepository.QueueDepth;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DepthSamplerTests extends QueueTestBase {

  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final JobRepository repository = new JobRepository(dataSource, null);

  /** A sampler with meters of its own: one process of the cluster. */
  private record Process(QueueDepthSampler sampler, QueueMetrics metrics) {
    double depth(String queue) {
      return metrics.registry().get("conveyor.queue.depth").tag("queue", queue).gauge().value();
    }
  }

  private Process process(String name, int exactLimit) {
    QueueMetrics metrics = QueueMetrics.simple();
    return new Process(
        new QueueDepthSampler(
            repository, metrics, new QueueDepthSampler.Config(MINUTE, exactLimit), name),
        metrics);
  }

  private void enqueue(String queue, int n) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(JobRequest.of("k", "{}").withQueue(queue));
    }
    enqueueAll(requests);
  }

  private void enqueueAll(List<JobRequest> requests) {
    queue.enqueueAll(requests);
  }

  @Nested
  class OneSamplerPerCluster {

    @Test
    void onlyOneProcessSamplesPerPeriodAndEveryProcessExportsTheSample() {
      Process a = process("process-a", 1000);
      Process b = process("process-b", 1000);
      enqueue("mail", 3);

      assertThat(a.sampler().sampleNow()).isTrue();
      assertThat(b.sampler().sampleNow()).isFalse();
      assertThat(a.depth("mail")).isEqualTo(3);
      assertThat(b.depth("mail")).isEqualTo(3);

      // Within the period nobody counts again: both keep exporting the stored sample.
      enqueue("mail", 2);
      assertThat(b.sampler().sampleNow()).isFalse();
      assertThat(a.sampler().sampleNow()).isFalse();
      assertThat(b.depth("mail")).isEqualTo(3);

      // A sample older than the period (its sampler died, say) is taken over by the next to look.
      db.execute("UPDATE conveyor.queue_depth_sample SET sampled_at = now() - interval '1 hour'");
      assertThat(b.sampler().sampleNow()).isTrue();
      assertThat(a.sampler().sampleNow()).isFalse();
      assertThat(a.depth("mail")).isEqualTo(5);
      assertThat(b.depth("mail")).isEqualTo(5);
      assertThat(
              jdbc.sql("SELECT sampled_by FROM conveyor.queue_depth_sample")
                  .query(String.class)
                  .single())
          .isEqualTo("process-b");
    }

    @Test
    void processesLookingAtTheSameTimeTakeOneSampleBetweenThem() throws Exception {
      enqueue("mail", 4);
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        for (int round = 0; round < 5; round++) {
          db.execute("UPDATE conveyor.queue_depth_sample SET sampled_at = '-infinity'");
          List<Process> processes = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            processes.add(process("process-" + i, 1000));
          }
          CyclicBarrier together = new CyclicBarrier(processes.size());
          List<Future<Boolean>> sampled = new ArrayList<>();
          for (Process p : processes) {
            sampled.add(
                threads.submit(
                    () -> {
                      together.await(10, TimeUnit.SECONDS);
                      return p.sampler().sampleNow();
                    }));
          }
          int samplers = 0;
          for (Future<Boolean> f : sampled) {
            samplers += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
          }
          assertThat(samplers).as("round %d", round).isOne();
          // A process that looked while the sample was being taken exports the older stored
          // numbers until its next tick; by then every process has this one.
          for (Process p : processes) {
            p.sampler().sampleNow();
            assertThat(p.depth("mail")).isEqualTo(4);
          }
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Nested
  class Gauges {

    @Test
    void aWorkerExportsItsQueuesAtZeroBeforeAnySample() {
      QueueMetrics metrics = QueueMetrics.simple();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("quiet", 1, "calm", 2)))
              .metrics(metrics)
              .handler(handler("k", ctx -> {})));

      for (String queue : List.of("quiet", "calm")) {
        assertThat(
                metrics.registry().get("conveyor.queue.depth").tag("queue", queue).gauge().value())
            .isZero();
        assertThat(
                metrics
                    .registry()
                    .get("conveyor.queue.oldest.age")
                    .tag("queue", queue)
                    .gauge()
                    .value())
            .isZero();
      }
    }

    @Test
    void aQueueThatEmptiedGoesToZero() {
      Process p = process("p", 1000);
      enqueue("mail", 2);
      p.sampler().sampleNow();
      assertThat(p.depth("mail")).isEqualTo(2);

      db.execute("DELETE FROM conveyor.queue_job");
      db.execute("UPDATE conveyor.queue_depth_sample SET sampled_at = '-infinity'");
      p.sampler().sampleNow();

      assertThat(p.depth("mail")).isZero();
      assertThat(repository.findQueueDepth()).isEmpty();
    }
  }

  @Nested
  class BoundedCount {

    @Test
    void countsExactlyUpToTheLimitAcrossPrioritiesAndSkipsDelayedJobs() {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        requests.add(JobRequest.of("k", "{}").withQueue("a").withPriority(i % 3 - 1));
      }
      for (int i = 0; i < 20; i++) {
        requests.add(
            JobRequest.of("k", "{}").withQueue("a").withRunAt(Instant.now().plusSeconds(3600)));
      }
      requests.add(JobRequest.of("k", "{}").withQueue("b"));
      enqueueAll(requests);
      db.execute("UPDATE conveyor.queue_job SET run_at = now() - interval '1 minute' WHERE id = 2");

      Map<String, QueueDepth> depths = byQueue(repository.countAvailable(5));

      assertThat(depths).containsOnlyKeys("a", "b");
      assertThat(depths.get("a").jobs()).isEqualTo(5);
      assertThat(depths.get("a").estimated()).isFalse();
      assertThat(depths.get("a").oldestSeconds()).isBetween(59.0, 600.0);
      assertThat(depths.get("b").jobs()).isOne();
    }

    @Test
    void aboveTheLimitTheDepthIsThePlannersEstimateAndNeverBelowTheLimit() {
      enqueue("a", 30);
      enqueue("b", 3);

      Map<String, QueueDepth> depths = byQueue(repository.countAvailable(5));

      assertThat(depths.get("a").estimated()).isTrue();
      assertThat(depths.get("a").jobs()).isGreaterThan(5);
      assertThat(depths.get("b").estimated()).isFalse();
      assertThat(depths.get("b").jobs()).isEqualTo(3);
    }

    /**
     * A million waiting jobs: the sample reads the claim index, never the table, and stays within
     * milliseconds; the depth above the limit is the planner's estimate.
     */
    @Test
    void withAMillionWaitingJobsTheSampleUsesTheIndexAndStaysFast() throws IOException {
      try {
        db.execute(
            "INSERT INTO conveyor.queue_job (queue, kind, priority)"
                + " SELECT CASE WHEN g % 10 = 0 THEN 'other' ELSE 'reports' END, 'k', g % 3"
                + " FROM generate_series(1, 1000000) g");
        db.execute("ANALYZE conveyor.queue_job");

        String count =
            resource("/dev/conveyor/queue/jdbc/count_available.sql")
                .replace("{{count_limit}}", "1001")
                .replace(":now", "NULL");
        String plan = String.join("\n", jdbc.sql("EXPLAIN " + count).query(String.class).list());
        assertThat(plan).contains("queue_job_claim_idx").doesNotContain("Seq Scan");

        // The best of three runs: the statement's cost, not how long a loaded machine kept the
        // server off the CPU.
        double fastest = Double.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
          String analyzed =
              String.join(
                  "\n",
                  jdbc.sql("EXPLAIN (ANALYZE, TIMING OFF) " + count).query(String.class).list());
          assertThat(analyzed).doesNotContain("Seq Scan");
          fastest = Math.min(fastest, executionMillis(analyzed));
        }
        assertThat(fastest).isLessThan(50.0);

        // The estimate (estimate_available.sql) is a plain EXPLAIN: it plans, it never runs.
        Process p = process("p", QueueDepthSampler.Config.DEFAULT_EXACT_LIMIT);
        assertThat(p.sampler().sampleNow()).isTrue();
        // The planner's estimate of 900,000 runnable jobs; within a factor of two is close enough
        // for a gauge that says "estimate" above its limit.
        assertThat(p.depth("reports")).isBetween(450_000.0, 1_800_000.0);
        assertThat(p.depth("other")).isBetween(50_000.0, 200_000.0);
        assertThat(repository.findQueueDepth()).allMatch(QueueDepth::estimated);
      } finally {
        db.truncateQueue();
      }
    }
  }

  private static Map<String, QueueDepth> byQueue(List<QueueDepth> depths) {
    return depths.stream().collect(Collectors.toMap(QueueDepth::queue, d -> d));
  }

  private static double executionMillis(String analyzed) {
    Matcher m = Pattern.compile("Execution Time: ([0-9.]+) ms").matcher(analyzed);
    assertThat(m.find()).as("execution time in %s", analyzed).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
