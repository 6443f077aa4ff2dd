package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.OperationsRepository;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.maintenance.RecurringScheduler;
import dev.conveyor.queue.runtime.RuntimeRegistry;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What operators see and do beside the queue's mechanics (issue 18): registry, rollup, actions. */
class OperationsTests extends QueueTestBase {

  private final OperationsRepository operations = new OperationsRepository(dataSource, null);

  @BeforeEach
  void emptyOperationsTables() {
    db.execute("TRUNCATE conveyor.worker_runtime, conveyor.queue_throughput");
  }

  private long insertJob(String queue, String state, String finalizedAgo) {
    return jdbc.sql(
            """
            INSERT INTO conveyor.queue_job (queue, kind, state, attempt, max_attempts, finalized_at)
            VALUES (:queue, 'k', :state, CASE WHEN :state = 'discarded' THEN 1 ELSE 0 END, 1,
                    CASE WHEN :state IN ('completed', 'discarded', 'cancelled')
                         THEN now() - CAST(:ago AS interval) END)
            RETURNING id
            """)
        .param("queue", queue)
        .param("state", state)
        .param("ago", finalizedAgo)
        .query(Long.class)
        .single();
  }

  private long runtimes(String where) {
    return jdbc.sql("SELECT count(*) FROM conveyor.worker_runtime WHERE " + where)
        .query(Long.class)
        .single();
  }

  @Nested
  class Registry {

    @Test
    void aRuntimeRegistersWithItsQueuesAndSlotsAtStartAndLeavesOnACleanStop() throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      WorkerRuntime runtime =
          start(
              WorkerRuntime.builder(dataSource)
                  .config(testConfig(Map.of("a", 3, "b", 2)).withWorkerId("registry-test"))
                  .handler(
                      handler(
                          "k",
                          ctx -> {
                            started.countDown();
                            release.await();
                          })));
      Map<String, Object> row =
          jdbc.sql(
                  "SELECT host, array_to_string(queues, ',') AS q, slots FROM"
                      + " conveyor.worker_runtime WHERE id = 'registry-test'")
              .query()
              .singleRow();
      assertThat(row.get("slots")).isEqualTo(5);
      assertThat((String) row.get("host")).isNotBlank();
      assertThat(String.valueOf(row.get("q")).split(",")).containsExactlyInAnyOrder("a", "b");

      queue.enqueue(JobRequest.of("k", "{}").withQueue("a"));
      started.await();
      // The registry heartbeats every few seconds: slots in use show within one.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> runtimes("id = 'registry-test' AND slots_in_use = 1") == 1);
      release.countDown();

      runtime.stop(Duration.ofSeconds(5));
      assertThat(runtimes("id = 'registry-test'")).isZero();
    }

    @Test
    void aHeartbeatPrunesRuntimesThatMissedTenHeartbeatsAndKeepsLiveOnes() {
      db.execute(
          "INSERT INTO conveyor.worker_runtime (id, host, queues, slots, heartbeat_interval,"
              + " heartbeat_at) VALUES ('dead', 'h', '{q}', 4, interval '1 second',"
              + " now() - interval '11 seconds'), ('slow', 'h', '{q}', 4, interval '10 seconds',"
              + " now() - interval '90 seconds')");
      RuntimeRegistry registry =
          new RuntimeRegistry(operations, "alive", Map.of("q", 2), () -> 1, Duration.ofHours(1));

      registry.beat();

      assertThat(
              jdbc.sql("SELECT id FROM conveyor.worker_runtime ORDER BY id")
                  .query(String.class)
                  .list())
          .containsExactly("alive", "slow");
      assertThat(runtimes("id = 'alive' AND slots = 2 AND slots_in_use = 1")).isOne();
    }
  }

  @Nested
  class Throughput {

    private long rolledUp(String column, String queue) {
      return jdbc.sql(
              "SELECT coalesce(sum("
                  + column
                  + "), 0) FROM conveyor.queue_throughput"
                  + " WHERE queue = :queue")
          .param("queue", queue)
          .query(Long.class)
          .single();
    }

    @Test
    void theRollupCountsJobsFinalizedSinceTheMarkOnceEachPerQueueAndMinute() {
      db.execute(
          "UPDATE conveyor.queue_throughput_mark SET counted_through = now() - interval '10 minutes'");
      insertJob("t1", "completed", "2 minutes");
      insertJob("t1", "completed", "3 minutes");
      insertJob("t1", "discarded", "2 minutes");
      insertJob("t2", "cancelled", "1 minute");
      insertJob("t2", "completed", "20 minutes"); // before the mark: counted before, not again
      insertJob("t2", "completed", "1 second"); // too fresh: may be uncommitted elsewhere
      insertJob("t2", "available", "0");

      operations.rollUpThroughput();
      operations.rollUpThroughput();

      assertThat(rolledUp("completed", "t1")).isEqualTo(2);
      assertThat(rolledUp("failed", "t1")).isEqualTo(1);
      assertThat(rolledUp("cancelled", "t2")).isEqualTo(1);
      assertThat(rolledUp("completed", "t2")).isZero();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                operations.rollUpThroughput();
                return rolledUp("completed", "t2") == 1;
              });
      assertThat(rolledUp("completed", "t1")).as("nothing counted twice").isEqualTo(2);
    }

    @Test
    void theSamplerThatTakesTheDepthSampleRollsUp() {
      db.execute(
          "UPDATE conveyor.queue_throughput_mark SET counted_through = now() - interval '10 minutes'");
      insertJob("t3", "completed", "1 minute");
      QueueDepthSampler sampler =
          new QueueDepthSampler(
              new JobRepository(dataSource, null),
              QueueMetrics.simple(),
              new QueueDepthSampler.Config(Duration.ofMinutes(1), 100),
              "rollup-test",
              operations);

      assertThat(sampler.sampleNow()).isTrue();
      assertThat(rolledUp("completed", "t3")).isOne();
      assertThat(sampler.sampleNow()).as("not due: another period").isFalse();
      assertThat(rolledUp("completed", "t3")).isOne();
    }
  }

  @Nested
  class Actions {

    @Test
    void deleteRemovesAFinishedOrWaitingJobButNotARunningOne() {
      long dead = insertJob("d", "discarded", "1 minute");
      long running =
          jdbc.sql(
                  "INSERT INTO conveyor.queue_job (queue, kind, state, attempt, lease_owner,"
                      + " lease_token, lease_expires_at, started_at) VALUES ('d', 'k', 'running',"
                      + " 1, 'w', gen_random_uuid(), now() + interval '1 minute', now())"
                      + " RETURNING id")
              .query(Long.class)
              .single();

      assertThat(queue.delete(dead)).isTrue();
      assertThat(queue.delete(running)).isFalse();
      assertThat(queue.delete(dead)).as("gone").isFalse();
      assertThat(queue.find(running)).isPresent();
    }

    @Test
    void retryDeadRetriesEveryDeadJobOfTheQueueInBatchesAndNoOther() {
      List<Long> dead = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        dead.add(insertJob("r", "discarded", "1 minute"));
      }
      long otherQueue = insertJob("other", "discarded", "1 minute");
      long completed = insertJob("r", "completed", "1 minute");

      assertThat(queue.retryDead("r", 10)).isEqualTo(25);

      assertThat(count("queue = 'r' AND state = 'available' AND attempt < max_attempts"))
          .isEqualTo(25);
      assertThat(job(otherQueue).state()).isEqualTo(JobState.DISCARDED);
      assertThat(job(completed).state()).isEqualTo(JobState.COMPLETED);
      assertThat(queue.retryDead("r", 10)).isZero();
    }

    @Test
    void retryDeadBringsBackOnlyTheOldestOfDeadJobsSharingAUniqueKey() {
      long first = insertJob("u", "discarded", "1 minute");
      long second = insertJob("u", "discarded", "1 minute");
      long third = insertJob("u", "discarded", "1 minute");
      long other = insertJob("u", "discarded", "1 minute");
      db.execute(
          "UPDATE conveyor.queue_job SET unique_key = 'report-7' WHERE id IN ("
              + first
              + ", "
              + second
              + ", "
              + third
              + ")");

      // One batch holds all three (a duplicate key error before), the next batches none of them.
      assertThat(queue.retryDead("u", 10)).isEqualTo(2);
      assertThat(job(first).state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job(other).state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job(second).state()).isEqualTo(JobState.DISCARDED);
      assertThat(job(third).state()).isEqualTo(JobState.DISCARDED);
      assertThat(queue.retryDead("u", 1)).as("the key is taken now").isZero();
    }

    @Test
    void aPausedScheduleEnqueuesNothingWhenDueAndRunNowEnqueuesItsJobAtOnce() {
      Schedule hourly =
          Schedule.of("ops-hourly", "0 0 * * * *", JobRequest.of("h", "{}").withQueue("s"));
      RecurringScheduler scheduler =
          new RecurringScheduler(dataSource, queue, List.of(hourly), Duration.ofMinutes(1));
      scheduler.start();
      scheduler.stop();
      db.execute(
          "UPDATE conveyor.recurring_schedule SET next_run_at = now() - interval '1 minute'");

      assertThat(queue.pauseSchedule("ops-hourly")).isTrue();
      assertThat(scheduler.fireDue()).isZero();
      assertThat(count("queue = 's'")).isZero();

      OptionalLong job = queue.runScheduleNow("ops-hourly");
      assertThat(job).isPresent();
      assertThat(job(job.getAsLong()).kind()).isEqualTo("h");
      assertThat(queue.schedules())
          .singleElement()
          .satisfies(s -> assertThat(s.lastJobId()).isEqualTo(job.getAsLong()));

      assertThat(queue.resumeSchedule("ops-hourly")).isTrue();
      assertThat(scheduler.fireDue()).isOne();
      assertThat(queue.pauseSchedule("no-such")).isFalse();
      assertThat(queue.runScheduleNow("no-such")).isEmpty();
    }
  }
}
