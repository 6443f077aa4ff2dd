package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class RunTests extends QueueTestBase {

  @Nested
  class Concurrency {

    @Test
    void twoRuntimesWithEightSlotsRunFiveThousandJobsExactlyOnce() {
      int jobs = 5_000;
      Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
      AtomicInteger concurrentNow = new AtomicInteger();
      AtomicInteger maxConcurrent = new AtomicInteger();
      JobHandler counting =
          handler(
              "count",
              ctx -> {
                int now = concurrentNow.incrementAndGet();
                maxConcurrent.accumulateAndGet(now, Math::max);
                runs.computeIfAbsent(ctx.jobId(), id -> new AtomicInteger()).incrementAndGet();
                concurrentNow.decrementAndGet();
              });
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        requests.add(JobRequest.of("count", "{}"));
      }
      queue.enqueueAll(requests);

      for (String name : List.of("worker-a", "worker-b")) {
        HikariDataSource pool = closeAfter(db.newDataSource(name, 5));
        start(
            WorkerRuntime.builder(pool)
                .config(testConfig(Map.of("default", 8)).withWorkerId(name))
                .handler(counting));
      }

      await().atMost(Duration.ofSeconds(90)).until(() -> count("state = 'completed'") == jobs);
      assertThat(runs).hasSize(jobs);
      assertThat(runs.values()).allMatch(n -> n.get() == 1);
      assertThat(count("state = 'running'")).isZero();
      assertThat(count("attempt <> 1")).isZero();
      assertThat(maxConcurrent.get()).isLessThanOrEqualTo(16);
    }
  }

  @Nested
  class Ordering {

    @Test
    void lowerPriorityValueRunsFirstThenOlderRunAt() {
      List<String> order = new CopyOnWriteArrayList<>();
      queue.enqueue(JobRequest.of("order", "{\"name\": \"p5\"}").withPriority(5));
      queue.enqueue(
          JobRequest.of("order", "{\"name\": \"p0-late\"}")
              .withRunAt(Instant.now().minusSeconds(10)));
      queue.enqueue(
          JobRequest.of("order", "{\"name\": \"p0-early\"}")
              .withRunAt(Instant.now().minusSeconds(20)));
      queue.enqueue(JobRequest.of("order", "{\"name\": \"p-1\"}").withPriority(-1));

      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(handler("order", ctx -> order.add(ctx.payload()))));

      await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 4);
      assertThat(order)
          .containsExactly(
              "{\"name\": \"p-1\"}",
              "{\"name\": \"p0-early\"}",
              "{\"name\": \"p0-late\"}",
              "{\"name\": \"p5\"}");
    }

    @Test
    void aDelayedJobIsNotClaimedBeforeItsRunAt() {
      Job delayed =
          queue
              .enqueue(JobRequest.of("order", "{}").withRunAt(Instant.now().plusSeconds(3600)))
              .job();
      Job now = queue.enqueue(JobRequest.of("order", "{}")).job();
      List<Long> ran = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 4)))
              .handler(handler("order", ctx -> ran.add(ctx.jobId()))));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> job(now.id()).state() == JobState.COMPLETED);
      assertThat(ran).containsExactly(now.id());
      assertThat(job(delayed.id()).state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job(delayed.id()).attempt()).isZero();

      // With the queue's clock moved past run_at, the same claim takes it.
      var later =
          new dev.conveyor.queue.jdbc.JobRepository(
              dataSource, () -> Instant.now().plusSeconds(7200));
      assertThat(later.claimAvailable("default", 10, "clock-test", Duration.ofSeconds(30)))
          .extracting(Job::id)
          .containsExactly(delayed.id());
    }

    @Test
    void jobsAheadCountsWhatAClaimWouldTakeFirst() {
      Job first = queue.enqueue(JobRequest.of("k", "{}")).job();
      Job urgent = queue.enqueue(JobRequest.of("k", "{}").withPriority(-5)).job();
      Job last = queue.enqueue(JobRequest.of("k", "{}")).job();
      queue.enqueue(JobRequest.of("k", "{}").withQueue("other"));

      assertThat(queue.jobsAhead(urgent.id())).hasValue(0);
      assertThat(queue.jobsAhead(first.id())).hasValue(1);
      assertThat(queue.jobsAhead(last.id())).hasValue(2);
    }

    @Test
    void enqueueCountingAheadAnswersWhatJobsAheadWouldInOneStatement() {
      queue.enqueue(JobRequest.of("k", "{}"));
      queue.enqueue(JobRequest.of("k", "{}").withPriority(-5));
      queue.enqueue(JobRequest.of("k", "{}").withQueue("other"));

      JobQueue.Placed placed = queue.enqueueCountingAhead(JobRequest.of("k", "{}"), 100);
      assertThat(placed.enqueued().duplicate()).isFalse();
      assertThat(placed.jobsAhead()).hasValue(2);
      assertThat(queue.jobsAhead(placed.enqueued().job().id(), 100)).isEqualTo(placed.jobsAhead());
      assertThat(queue.enqueueCountingAhead(JobRequest.of("k", "{}"), 2).jobsAhead()).hasValue(2);
      assertThat(
              queue
                  .enqueueCountingAhead(JobRequest.of("k", "{}").withPriority(-9), 100)
                  .jobsAhead())
          .hasValue(0);
      assertThatThrownBy(() -> queue.enqueueCountingAhead(JobRequest.of("k", "{}"), 0))
          .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Behind a backlog the counting enqueue must not be planned again on every call: PostgreSQL
     * keeps a generic plan only while it looks no dearer than the plans made for given values,
     * which a bound passed as a {@code LIMIT} parameter defeats (measured at ~0.2 ms of server CPU
     * per enqueue). Seen from the session's prepared statements, on one pooled connection.
     */
    @Test
    void countingEnqueueKeepsItsGenericPlanBehindABacklog() {
      jdbc.sql("INSERT INTO conveyor.queue_job (kind) SELECT 'k' FROM generate_series(1, 20000)")
          .update();
      jdbc.sql("ANALYZE conveyor.queue_job").update();
      HikariDataSource oneConnection = closeAfter(db.newDataSource("plan-cache", 1));
      JobQueue onOne = new JobQueue(oneConnection);

      for (int i = 0; i < 20; i++) {
        assertThat(onOne.enqueueCountingAhead(JobRequest.of("k", "{}"), 10).jobsAhead())
            .hasValue(10);
        assertThat(onOne.jobsAhead(-1, 10)).isEmpty();
      }

      List<Map<String, Object>> plans =
          JdbcClient.create(oneConnection)
              .sql(
                  "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                      + " WHERE statement LIKE '%enqueue_one%' OR statement LIKE '%count_ahead%'")
              .query()
              .listOfRows();
      assertThat(plans).hasSize(2);
      // pgjdbc prepares on the server from the 5th call (16 executions here); PostgreSQL makes 5
      // custom plans first, then keeps the generic one if it is no dearer.
      assertThat(plans)
          .allSatisfy(
              p -> {
                assertThat((Long) p.get("custom_plans")).isLessThanOrEqualTo(5);
                assertThat((Long) p.get("generic_plans")).isGreaterThanOrEqualTo(11);
              });
    }

    @Test
    void enqueueCountingAheadOfADuplicateCountsTheHolder() {
      queue.enqueue(JobRequest.of("k", "{}"));
      Job holder = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("u")).job();
      queue.enqueue(JobRequest.of("k", "{}"));

      JobQueue.Placed again =
          queue.enqueueCountingAhead(JobRequest.of("k", "{}").withUniqueKey("u"), 100);
      assertThat(again.enqueued().duplicate()).isTrue();
      assertThat(again.enqueued().job().id()).isEqualTo(holder.id());
      assertThat(again.jobsAhead()).hasValue(1);
    }

    @Test
    void boundedJobsAheadStopsCountingAtItsMaximum() {
      for (int i = 0; i < 5; i++) {
        queue.enqueue(JobRequest.of("k", "{}"));
      }
      Job last = queue.enqueue(JobRequest.of("k", "{}")).job();

      assertThat(queue.jobsAhead(last.id(), 3)).hasValue(3);
      assertThat(queue.jobsAhead(last.id(), 100)).hasValue(5);
      assertThat(queue.jobsAhead(last.id(), 0)).hasValue(0);
    }
  }
}
