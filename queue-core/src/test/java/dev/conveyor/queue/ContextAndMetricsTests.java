package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.runtime.WorkerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class ContextAndMetricsTests extends QueueTestBase {

  @Nested
  class Context {

    @Test
    void progressIsPersistedWhileRunning() {
      CountDownLatch finish = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(
                  handler(
                      "progress",
                      ctx -> {
                        ctx.progress(40);
                        finish.await();
                      })));
      long id = queue.enqueue(JobRequest.of("progress", "{}")).job().id();

      await().atMost(Duration.ofSeconds(5)).until(() -> job(id).progress() == 40);
      assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
      finish.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(job(id).progress()).isEqualTo(100);
      assertThatThrownBy(
              () ->
                  new dev.conveyor.queue.runtime.WorkerConfig(
                      "w",
                      Map.of("q", 1),
                      Duration.ofSeconds(1),
                      Duration.ZERO,
                      10,
                      Duration.ofSeconds(30),
                      Duration.ofSeconds(11),
                      Duration.ofSeconds(1),
                      10,
                      0))
          .hasMessageContaining("third");
    }

    @Test
    void completeWithinCommitsTheHandlersWritesAndTheCompletionTogether() {
      db.execute("CREATE TABLE IF NOT EXISTS public.test_effect (job_id bigint PRIMARY KEY)");
      db.execute("TRUNCATE public.test_effect");
      JdbcClient client = JdbcClient.create(dataSource);
      AtomicReference<Throwable> afterwards = new AtomicReference<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(
                  handler(
                      "tx",
                      ctx -> {
                        ctx.completeWithin(
                            () -> {
                              client
                                  .sql("INSERT INTO public.test_effect VALUES (:id)")
                                  .param("id", ctx.jobId())
                                  .update();
                              assertThat(job(ctx.jobId()).state())
                                  .as("not committed yet")
                                  .isEqualTo(JobState.RUNNING);
                            });
                      })));
      long id = queue.enqueue(JobRequest.of("tx", "{}")).job().id();

      await().atMost(Duration.ofSeconds(5)).until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(count("state = 'completed'")).isOne();
      assertThat(jdbc.sql("SELECT count(*) FROM public.test_effect").query(Long.class).single())
          .isOne();
      assertThat(afterwards.get()).isNull();
    }

    @Test
    void progressInsideCompleteWithinDoesNotLockTheJobRowForTheTransaction() throws Exception {
      CountDownLatch progressed = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(
                  handler(
                      "long",
                      ctx ->
                          ctx.completeWithin(
                              () -> {
                                ctx.progress(40);
                                ctx.heartbeat();
                                progressed.countDown();
                                await()
                                    .atMost(Duration.ofSeconds(30))
                                    .until(() -> release.getCount() == 0);
                              }))));
      long id = queue.enqueue(JobRequest.of("long", "{}")).job().id();
      assertThat(progressed.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        // The progress is committed already, and another session can write the job's row (a
        // cancellation request, as the API sends) while the handler's transaction is still open.
        assertThat(job(id).progress()).isEqualTo(40);
        assertThat(CompletableFuture.supplyAsync(() -> queue.cancel(id)).get(5, TimeUnit.SECONDS))
            .isEqualTo(CancelResult.CANCEL_REQUESTED);
      } finally {
        release.countDown();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state().isFinished());
    }

    @Test
    void completeWithinRollsBackWhenTheLeaseWasLost() {
      db.execute("CREATE TABLE IF NOT EXISTS public.test_effect (job_id bigint PRIMARY KEY)");
      db.execute("TRUNCATE public.test_effect");
      JdbcClient client = JdbcClient.create(dataSource);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .rescuer(null)
              .handler(
                  handler(
                      "tx",
                      ctx -> {
                        // Another party took the job away before the handler could complete it.
                        jdbc.sql(
                                "UPDATE conveyor.queue_job SET lease_token = gen_random_uuid() WHERE id = :id")
                            .param("id", ctx.jobId())
                            .update();
                        try {
                          ctx.completeWithin(
                              () ->
                                  client
                                      .sql("INSERT INTO public.test_effect VALUES (:id)")
                                      .param("id", ctx.jobId())
                                      .update());
                        } catch (LeaseLostException e) {
                          failure.set(e);
                        }
                      })));
      long id = queue.enqueue(JobRequest.of("tx", "{}")).job().id();

      await().atMost(Duration.ofSeconds(5)).until(() -> failure.get() != null);
      assertThat(failure.get()).isInstanceOf(LeaseLostException.class);
      assertThat(jdbc.sql("SELECT count(*) FROM public.test_effect").query(Long.class).single())
          .isZero();
      assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
    }
  }

  @Nested
  class Outage {

    @Test
    void aCompletionWrittenDuringADatabaseOutageIsRecordedWhenItEnds() throws Exception {
      db.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outage_worker')"
              + " THEN CREATE ROLE outage_worker LOGIN; END IF; END $$");
      db.execute("GRANT USAGE ON SCHEMA conveyor TO outage_worker");
      db.execute("GRANT ALL ON ALL TABLES IN SCHEMA conveyor TO outage_worker");
      db.execute("ALTER ROLE outage_worker LOGIN");
      HikariConfig config = new HikariConfig();
      // The test URL may name its own user; this pool must log in as outage_worker.
      config.setJdbcUrl(db.url().replaceFirst("\\?.*$", ""));
      config.setUsername("outage_worker");
      config.setMaximumPoolSize(4);
      config.setConnectionTimeout(1000);
      HikariDataSource pool = closeAfter(new HikariDataSource(config));
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(pool)
              .config(testConfig(Map.of("default", 1)))
              .rescuer(null)
              .pruner(null)
              .handler(
                  handler(
                      "during.outage",
                      ctx -> {
                        running.countDown();
                        finish.await();
                      })));
      long id = queue.enqueue(JobRequest.of("during.outage", "{}")).job().id();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

      // The database goes away for this worker: sessions cut, new logins refused.
      db.execute("ALTER ROLE outage_worker NOLOGIN");
      db.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'outage_worker'");
      finish.countDown();
      await()
          .during(Duration.ofMillis(700))
          .atMost(Duration.ofSeconds(5))
          .until(() -> job(id).state() == JobState.RUNNING);

      db.execute("ALTER ROLE outage_worker LOGIN");
      await().atMost(Duration.ofSeconds(15)).until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(job(id).attempt()).isOne();
    }
  }

  @Nested
  class Metrics {

    @Test
    void countsOutcomesWaitAndDepthWithoutIdsInTags() {
      QueueMetrics metrics = QueueMetrics.simple();
      MeterRegistry registry = metrics.registry();
      JobQueue counted = new JobQueue(dataSource, metrics, null);
      AtomicBoolean failOnce = new AtomicBoolean(true);
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 2)))
              .metrics(metrics)
              .retryPolicy(new ExponentialBackoff(Duration.ofMillis(10), Duration.ofMillis(10), 0))
              .handler(handler("ok", ctx -> {}))
              .handler(
                  handler(
                      "flaky",
                      ctx -> {
                        if (failOnce.getAndSet(false)) {
                          throw new IllegalStateException("once");
                        }
                      }))
              .handler(
                  handler(
                      "dead",
                      ctx -> {
                        throw JobFailure.permanent("no");
                      })));
      counted.enqueueAll(
          List.of(
              JobRequest.of("ok", "{}"),
              JobRequest.of("flaky", "{}"),
              JobRequest.of("dead", "{}")));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("state IN ('completed', 'discarded')") == 3);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  registry.find("conveyor.jobs.completed").counters().stream()
                          .mapToDouble(c -> c.count())
                          .sum()
                      == 2);
      assertThat(registry.get("conveyor.jobs.enqueued").tag("queue", "default").counter().count())
          .isEqualTo(3);
      assertThat(registry.get("conveyor.jobs.retried").tag("kind", "flaky").counter().count())
          .isOne();
      assertThat(registry.get("conveyor.jobs.discarded").tag("kind", "dead").counter().count())
          .isOne();
      assertThat(registry.get("conveyor.job.wait").tag("queue", "default").timer().count())
          .isEqualTo(4);
      assertThat(registry.get("conveyor.job.execute").tag("outcome", "completed").timers())
          .hasSize(2);

      queue.enqueue(JobRequest.of("later", "{}").withQueue("idle"));
      QueueDepthSampler sampler =
          new QueueDepthSampler(
              new dev.conveyor.queue.jdbc.JobRepository(dataSource, null),
              metrics,
              new QueueDepthSampler.Config(Duration.ofMinutes(1), 1000),
              "metrics-test");
      sampler.sampleNow();
      assertThat(registry.get("conveyor.queue.depth").tag("queue", "idle").gauge().value()).isOne();
      assertThat(registry.getMeters())
          .allSatisfy(
              m ->
                  assertThat(m.getId().getTags())
                      .allSatisfy(t -> assertThat(t.getKey()).isIn("queue", "kind", "outcome")));
    }

    @Test
    void aStartingWorkerExportsSlotsAndOutcomeCountersAtZeroAndCountsBusySlots() throws Exception {
      QueueMetrics metrics = QueueMetrics.simple();
      MeterRegistry registry = metrics.registry();
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 3, "other", 2)))
              .metrics(metrics)
              .handler(
                  handler(
                      "block",
                      ctx -> {
                        started.countDown();
                        release.await();
                      }))
              .handler(handler("ok", ctx -> {})));

      // Before any job: the slots, and every outcome counter an alert or a rate() reads, at zero.
      assertThat(registry.get("conveyor.worker.slots").tag("queue", "default").gauge().value())
          .isEqualTo(3);
      assertThat(registry.get("conveyor.worker.slots").tag("queue", "other").gauge().value())
          .isEqualTo(2);
      assertThat(registry.get("conveyor.worker.slots.busy").tag("queue", "default").gauge().value())
          .isZero();
      for (String outcome : List.of("completed", "retried", "discarded", "rescued", "unrecorded")) {
        for (String queueName : List.of("default", "other")) {
          assertThat(
                  registry
                      .get("conveyor.jobs." + outcome)
                      .tags("queue", queueName, "kind", "block")
                      .counter()
                      .count())
              .as("%s %s", outcome, queueName)
              .isZero();
        }
      }

      queue.enqueue(JobRequest.of("block", "{}"));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(registry.get("conveyor.worker.slots.busy").tag("queue", "default").gauge().value())
          .isOne();
      release.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  registry.get("conveyor.worker.slots.busy").tag("queue", "default").gauge().value()
                      == 0);
    }
  }
}
