package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FailureTests extends QueueTestBase {

  private static final RetryPolicy FAST =
      new ExponentialBackoff(Duration.ofMillis(50), Duration.ofSeconds(1), 0);

  private WorkerRuntime run(JobHandler handler) {
    return start(
        WorkerRuntime.builder(dataSource)
            .config(testConfig(Map.of("default", 4)))
            .retryPolicy(FAST)
            .handler(handler));
  }

  private Job awaitState(long id, JobState state) {
    await().atMost(Duration.ofSeconds(15)).until(() -> job(id).state() == state);
    return job(id);
  }

  @Nested
  class Retries {

    @Test
    void succeedsOnTheThirdAttemptAfterHonouringTheBackoff() {
      RetryPolicy backoff =
          new ExponentialBackoff(Duration.ofMillis(300), Duration.ofSeconds(5), 0);
      List<Instant> starts = new CopyOnWriteArrayList<>();
      run(
          handler(
              "flaky",
              backoff,
              ctx -> {
                starts.add(Instant.now());
                if (ctx.attempt() < 3) {
                  throw new IllegalStateException("upstream down, attempt " + ctx.attempt());
                }
              }));
      long id = queue.enqueue(JobRequest.of("flaky", "{}")).job().id();

      Job done = awaitState(id, JobState.COMPLETED);

      assertThat(done.attempt()).isEqualTo(3);
      assertThat(starts).hasSize(3);
      assertThat(Duration.between(starts.get(0), starts.get(1)))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(Duration.between(starts.get(1), starts.get(2)))
          .isGreaterThanOrEqualTo(Duration.ofMillis(600));
      assertThat(queue.errors(id))
          .extracting(JobError::attempt, JobError::error, JobError::errorClass)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  1, "upstream down, attempt 1", IllegalStateException.class.getName()),
              org.assertj.core.groups.Tuple.tuple(
                  2, "upstream down, attempt 2", IllegalStateException.class.getName()));
    }

    @Test
    void exhaustedJobIsDiscardedWithEveryErrorKept() {
      run(
          handler(
              "doomed",
              ctx -> {
                throw new IllegalArgumentException("boom " + ctx.attempt());
              }));
      long id = queue.enqueue(JobRequest.of("doomed", "{}").withMaxAttempts(3)).job().id();

      Job dead = awaitState(id, JobState.DISCARDED);

      assertThat(dead.attempt()).isEqualTo(3);
      assertThat(dead.finalizedAt()).isNotNull();
      assertThat(queue.errors(id))
          .extracting(JobError::error)
          .containsExactly("boom 1", "boom 2", "boom 3");
      assertThat(queue.list(JobState.DISCARDED, null, Long.MAX_VALUE, 10))
          .extracting(Job::id)
          .containsExactly(id);
    }

    @Test
    void permanentFailureIsDiscardedWithoutRetry() {
      AtomicInteger runs = new AtomicInteger();
      run(
          handler(
              "bad.input",
              ctx -> {
                runs.incrementAndGet();
                throw JobFailure.permanent("report type unknown");
              }));
      long id = queue.enqueue(JobRequest.of("bad.input", "{}")).job().id();

      Job dead = awaitState(id, JobState.DISCARDED);

      assertThat(runs).hasValue(1);
      assertThat(dead.attempt()).isEqualTo(1);
      assertThat(queue.errors(id))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.error()).isEqualTo("report type unknown");
                assertThat(e.errorClass()).isEqualTo(JobFailure.Permanent.class.getName());
              });
    }

    @Test
    void anErrorMessageWithANulCharacterIsStillRecorded() {
      // PostgreSQL text cannot hold U+0000, yet exception messages may (a binary response body).
      run(
          handler(
              "binary.reply",
              ctx -> {
                throw JobFailure.permanent("upstream answered \u0000\u0001garbage");
              }));
      long id = queue.enqueue(JobRequest.of("binary.reply", "{}")).job().id();

      awaitState(id, JobState.DISCARDED);
      assertThat(queue.errors(id))
          .singleElement()
          .satisfies(
              e -> assertThat(e.error()).startsWith("upstream answered ").endsWith("garbage"));
    }

    @Test
    void unknownKindIsRetriedNotLost() {
      run(handler("known", ctx -> {}));
      long id = queue.enqueue(JobRequest.of("unknown.kind", "{}").withMaxAttempts(2)).job().id();

      awaitState(id, JobState.DISCARDED);
      assertThat(queue.errors(id))
          .extracting(JobError::error)
          .allMatch(e -> e.contains("no handler for job kind 'unknown.kind'"));
    }

    @Test
    void deadJobCanBeRetriedByAnOperator() {
      AtomicInteger runs = new AtomicInteger();
      run(
          handler(
              "second.chance",
              ctx -> {
                if (runs.incrementAndGet() == 1) {
                  throw JobFailure.permanent("not yet");
                }
              }));
      long id = queue.enqueue(JobRequest.of("second.chance", "{}").withMaxAttempts(1)).job().id();
      awaitState(id, JobState.DISCARDED);

      assertThat(queue.retry(id)).isEqualTo(RetryResult.RETRIED);

      Job done = awaitState(id, JobState.COMPLETED);
      assertThat(done.attempt()).isEqualTo(2);
      assertThat(queue.errors(id)).hasSize(1);
      assertThat(queue.retry(id)).isEqualTo(RetryResult.NOT_RETRYABLE);
      assertThat(queue.retry(999_999)).isEqualTo(RetryResult.NOT_FOUND);
    }
  }

  @Nested
  class OperatorRetry {

    @Test
    void aDeadJobWhoseUniqueKeyWasTakenMeanwhileIsNotRetried() {
      long dead = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("key")).job().id();
      jdbc.sql(
              "UPDATE conveyor.queue_job SET state = 'discarded', finalized_at = now() WHERE id = :id")
          .param("id", dead)
          .update();
      long successor = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("key")).job().id();

      assertThat(queue.retry(dead)).isEqualTo(RetryResult.KEY_TAKEN);
      assertThat(job(dead).state()).isEqualTo(JobState.DISCARDED);
      assertThat(job(successor).state()).isEqualTo(JobState.AVAILABLE);

      queue.cancel(successor);
      assertThat(queue.retry(dead)).isEqualTo(RetryResult.RETRIED);
      assertThat(job(dead).state()).isEqualTo(JobState.AVAILABLE);
    }
  }

  @Nested
  class Snooze {

    @Test
    void snoozeRunsLaterWithoutSpendingAnAttempt() {
      List<Integer> attempts = new CopyOnWriteArrayList<>();
      List<Instant> starts = new CopyOnWriteArrayList<>();
      run(
          handler(
              "rate.limited",
              ctx -> {
                attempts.add(ctx.attempt());
                starts.add(Instant.now());
                if (attempts.size() == 1) {
                  throw JobFailure.snooze(Duration.ofMillis(400));
                }
              }));
      long id = queue.enqueue(JobRequest.of("rate.limited", "{}").withMaxAttempts(1)).job().id();

      Job done = awaitState(id, JobState.COMPLETED);

      assertThat(attempts).containsExactly(1, 1);
      assertThat(done.attempt()).isEqualTo(1);
      assertThat(queue.errors(id)).isEmpty();
      assertThat(Duration.between(starts.get(0), starts.get(1)))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
  }

  /**
   * The completion writer and a database that refuses a completion. A test trigger refuses to mark
   * a job of a listed kind completed, with the listed SQLSTATE, and counts its refusals in a
   * sequence (a sequence survives the rollback of the refused statement).
   */
  @Nested
  class RefusedCompletions {

    @BeforeEach
    void installRefusal() {
      dropRefusal();
      db.execute(
          "CREATE TABLE public.test_completion_refusals (kind text PRIMARY KEY, sqlstate text NOT NULL)");
      db.execute("CREATE SEQUENCE public.test_completion_refused");
      db.execute(
          """
          CREATE FUNCTION public.test_refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
          DECLARE
              code text;
          BEGIN
              SELECT sqlstate INTO code FROM public.test_completion_refusals WHERE kind = NEW.kind;
              IF code IS NOT NULL THEN
                  PERFORM nextval('public.test_completion_refused');
                  RAISE EXCEPTION 'test refuses to complete job %', NEW.id USING ERRCODE = code;
              END IF;
              RETURN NEW;
          END $$""");
      db.execute(
          "CREATE TRIGGER test_refuse_completion BEFORE UPDATE ON conveyor.queue_job FOR EACH ROW"
              + " WHEN (OLD.state = 'running' AND NEW.state = 'completed')"
              + " EXECUTE FUNCTION public.test_refuse_completion()");
    }

    @AfterEach
    void dropRefusal() {
      db.execute("DROP TRIGGER IF EXISTS test_refuse_completion ON conveyor.queue_job");
      db.execute("DROP FUNCTION IF EXISTS public.test_refuse_completion()");
      db.execute("DROP TABLE IF EXISTS public.test_completion_refusals");
      db.execute("DROP SEQUENCE IF EXISTS public.test_completion_refused");
    }

    private WorkerRuntime run(QueueMetrics metrics, Duration lease) {
      return start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 4)).withLease(lease, lease.dividedBy(3)))
              .metrics(metrics)
              .retryPolicy(FAST)
              .rescuer(new LeaseRescuer.Config(Duration.ofMillis(200), 100))
              .handler(handler("poison", ctx -> {}))
              .handler(handler("flaky", ctx -> {}))
              .handler(handler("ok", ctx -> {})));
    }

    private long refusals() {
      return jdbc.sql(
              "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
                  + " FROM public.test_completion_refused")
          .query(Long.class)
          .single();
    }

    private List<Long> enqueueOk(int n) {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        requests.add(JobRequest.of("ok", "{}"));
      }
      return queue.enqueueAll(requests).stream().map(e -> e.job().id()).toList();
    }

    @Test
    void aCompletionRefusedForGoodIsDroppedAndLaterCompletionsGoThrough() {
      db.execute("INSERT INTO public.test_completion_refusals VALUES ('poison', '23514')");
      QueueMetrics metrics = QueueMetrics.simple();
      // Short enough for the rescue to come soon, long enough that a loaded machine still writes
      // the completion (and has it refused) before the lease runs out.
      run(metrics, Duration.ofSeconds(2));

      long poison = queue.enqueue(JobRequest.of("poison", "{}").withMaxAttempts(2)).job().id();
      List<Long> first = enqueueOk(5);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> first.stream().allMatch(id -> job(id).state() == JobState.COMPLETED));
      await().atMost(Duration.ofSeconds(15)).until(() -> refusals() >= 1);
      List<Long> later = enqueueOk(5);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> later.stream().allMatch(id -> job(id).state() == JobState.COMPLETED));

      // The refused job was left running, unrenewed: the rescuer took it back after its lease,
      // twice, and its last attempt ended it dead.
      Job dead = awaitState(poison, JobState.DISCARDED);
      assertThat(dead.attempt()).isEqualTo(2);
      assertThat(queue.errors(poison))
          .extracting(JobError::errorClass)
          .containsExactly("LeaseExpired", "LeaseExpired");
      // Twice per attempt when the refused write was a batch with other jobs in it.
      assertThat(refusals()).isBetween(2L, 4L);
      assertThat(
              metrics
                  .registry()
                  .get("conveyor.jobs.unrecorded")
                  .tag("queue", "default")
                  .tag("kind", "poison")
                  .counter()
                  .count())
          .isEqualTo(2);
    }

    @Test
    void aCompletionThatFailsForAPassingReasonIsRetriedUntilItIsWritten() {
      db.execute("INSERT INTO public.test_completion_refusals VALUES ('flaky', '40001')");
      QueueMetrics metrics = QueueMetrics.simple();
      run(metrics, WorkerConfig.DEFAULT_LEASE);

      long flaky = queue.enqueue(JobRequest.of("flaky", "{}")).job().id();
      // Serialization failures, write after write: the worker keeps the job and retries.
      await().atMost(Duration.ofSeconds(15)).until(() -> refusals() >= 4);
      assertThat(job(flaky).state()).isEqualTo(JobState.RUNNING);
      db.execute("DELETE FROM public.test_completion_refusals");

      Job done = awaitState(flaky, JobState.COMPLETED);
      assertThat(done.attempt()).isOne();
      assertThat(queue.errors(flaky)).isEmpty();
      // Registered at zero when the worker started; nothing counted since.
      assertThat(metrics.registry().find("conveyor.jobs.unrecorded").counters())
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.count()).isZero());
    }
  }
}
