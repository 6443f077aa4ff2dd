package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The README's Java examples, compiled and run. Each example is the code between {@code //
 * README:<name>-begin} and {@code // README:<name>-end}; {@link Readme} checks that the README's
 * {@code java} blocks are these regions, in the order they appear here.
 */
class ReadmeExamplesTests extends QueueTestBase {

  private final TransactionTemplate transactionTemplate =
      new TransactionTemplate(new DataSourceTransactionManager(dataSource));

  /** Stands in for the application's own rows in the README. */
  record Report(UUID id) {}

  /** Stands in for the application's repository of reports. */
  static final class Reports {
    final List<Report> inserted = new ArrayList<>();

    void insert(Report report) {
      inserted.add(report);
    }
  }

  private final Reports reports = new Reports();

  @Nested
  class Enqueue {

    private void enqueueInTransaction(Report report) {
      // README:enqueue-begin
      JobQueue queue = new JobQueue(dataSource);
      transactionTemplate.executeWithoutResult(
          status -> {
            reports.insert(report); // your row
            queue.enqueue(
                JobRequest.of("report.generate", "{\"reportId\":\"" + report.id() + "\"}")
                    .withQueue("reports")
                    .withUniqueKey(report.id().toString())); // no duplicate while unfinished
          });
      // README:enqueue-end
    }

    @Test
    void theJobExistsOnceTheTransactionCommits() {
      Report report = new Report(UUID.randomUUID());

      enqueueInTransaction(report);

      assertThat(reports.inserted).containsExactly(report);
      assertThat(queue.findByUniqueKey(report.id().toString()))
          .hasValueSatisfying(
              job -> {
                assertThat(job.kind()).isEqualTo("report.generate");
                assertThat(job.queue()).isEqualTo("reports");
                assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
                assertThat(job.payload()).contains(report.id().toString());
              });
    }

    @Test
    void enqueueingTheSameReportAgainAddsNoJobWhileTheFirstIsUnfinished() {
      Report report = new Report(UUID.randomUUID());

      enqueueInTransaction(report);
      enqueueInTransaction(report);

      assertThat(count("true")).isOne();
    }
  }

  @Nested
  class RunJobs {

    @Test
    void theRuntimeCompletesTheJobAndStops() {
      long id =
          queue.enqueue(JobRequest.of("report.generate", "{}").withQueue("reports")).job().id();

      // README:run-begin
      class GenerateReport implements JobHandler {
        public String kind() {
          return "report.generate";
        }

        public void handle(JobContext ctx) throws Exception {
          ctx.progress(10); // persisted, throttled
          ctx.throwIfCancellationRequested(); // cooperative cancellation
          // ... return normally: completed
          // throw JobFailure.permanent("bad input"): dead now, no retry
          // throw JobFailure.snooze(Duration.ofMinutes(1)): later, no attempt spent
          // throw anything else: retried with backoff until max attempts, then dead
        }
      }

      WorkerRuntime runtime =
          WorkerRuntime.builder(dataSource)
              .config(WorkerConfig.defaults().withQueues(Map.of("reports", 8)))
              .handler(new GenerateReport())
              .build();
      runtime.start();
      // README:run-end
      closeAfter(runtime);

      await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(job(id).attempt()).isOne();
      assertThat(job(id).progress()).as("a completed job shows 100").isEqualTo(100);

      // README:stop-begin
      // on SIGTERM: stop claiming, wait for running jobs (shutdown timeout), release the rest
      runtime.stop();
      // README:stop-end
      assertThat(runtime.isRunning()).isFalse();
    }
  }

  @Nested
  class QueueControls {

    @Test
    void pauseResumeAndLimitsAreStoredForEveryWorker() {
      // README:controls-begin
      queue.pause("campaigns"); // no claims anywhere until resumed
      queue.resume("campaigns"); // and workers are woken at once
      queue.setLimits("imports", QueueLimits.maxRunning(1)); // at most 1 running, cluster-wide
      queue.setLimits("reports", QueueLimits.NONE.withMaxRunningPerKey(2)); // per partition key
      queue.setLimits("sms", QueueLimits.NONE.withRate(10, Duration.ofSeconds(1))); // ≤ 10 starts/s
      // README:controls-end

      assertThat(queue.controls())
          .containsExactly(
              new QueueControl("campaigns", null, false, QueueLimits.NONE),
              new QueueControl("imports", null, false, new QueueLimits(1, null, null, null)),
              new QueueControl("reports", null, false, new QueueLimits(null, 2, null, null)),
              new QueueControl(
                  "sms", null, false, new QueueLimits(null, null, 10, Duration.ofSeconds(1))));
    }

    /** The README's handler that an upstream told to wait. */
    static final class SendCampaign implements JobHandler {
      @Override
      public String kind() {
        return "campaign.send";
      }

      @Override
      public void handle(JobContext ctx) {
        // README:flood-wait-begin
        ctx.pauseQueueUntil(Instant.now().plusSeconds(30));
        throw JobFailure.snooze(Duration.ofSeconds(30));
        // README:flood-wait-end
      }
    }

    @Test
    void aHandlerPausesItsWholeQueueAndSnoozesItsJob() {
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("campaigns", 2)))
              .handler(new SendCampaign()));
      long first = enqueueCampaign();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> job(first).startedAt() != null && job(first).state() == JobState.AVAILABLE);
      Instant almostThirtySecondsOn = Instant.now().plusSeconds(25);
      assertThat(job(first).runAt()).isAfter(almostThirtySecondsOn);
      assertThat(job(first).attempt()).as("the snooze spent no attempt").isZero();
      assertThat(queue.controls())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.queue()).isEqualTo("campaigns");
                assertThat(c.paused()).isTrue();
                assertThat(c.pausedUntil()).isAfter(almostThirtySecondsOn);
              });

      long second = enqueueCampaign();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> job(second).startedAt() == null);
    }

    private long enqueueCampaign() {
      return queue.enqueue(JobRequest.of("campaign.send", "{}").withQueue("campaigns")).job().id();
    }

    /** The handler of the README's scheduled job. */
    static final class Cleanup implements JobHandler {
      @Override
      public String kind() {
        return "cleanup";
      }

      @Override
      public void handle(JobContext ctx) {}
    }

    @Test
    void aScheduleIsRegisteredWithItsNextOccurrenceWhenTheRuntimeStarts() {
      // README:schedule-begin
      WorkerRuntime runtime =
          WorkerRuntime.builder(dataSource)
              .schedule(
                  Schedule.of("nightly-cleanup", "0 0 3 * * *", JobRequest.of("cleanup", "{}"))
                      .withZone(ZoneId.of("Europe/Berlin"))
                      .withMissedPolicy(Schedule.MissedPolicy.SKIP))
              .handler(new Cleanup())
              .build();
      // README:schedule-end
      closeAfter(runtime).start();

      ZoneId berlin = ZoneId.of("Europe/Berlin");
      ZonedDateTime now = ZonedDateTime.now(berlin);
      ZonedDateTime today3am = now.toLocalDate().atTime(3, 0).atZone(berlin);
      ZonedDateTime next3am =
          today3am.isAfter(now)
              ? today3am
              : now.toLocalDate().plusDays(1).atTime(3, 0).atZone(berlin);
      assertThat(queue.schedules())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.name()).isEqualTo("nightly-cleanup");
                assertThat(s.kind()).isEqualTo("cleanup");
                assertThat(s.timeZone()).isEqualTo("Europe/Berlin");
                assertThat(s.missedPolicy()).isEqualTo("skip");
                assertThat(s.nextRunAt()).isEqualTo(next3am.toInstant());
                assertThat(s.lastRunAt()).isNull();
              });
    }
  }

  /** The README's {@code java} blocks are the regions above, so that the two cannot drift. */
  @Nested
  class Readme {

    @Test
    void everyJavaBlockOfTheReadmeIsTheRegionOfThisTestAtTheSamePosition() throws IOException {
      ReadmeSnippets.assertBlocksAreRegions(
          Path.of("../README.md"),
          Path.of(
              "src/test/java", ReadmeExamplesTests.class.getName().replace('.', '/') + ".java"));
    }
  }
}
