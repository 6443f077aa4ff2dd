package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ShutdownAndCancelTests extends QueueTestBase {

  @Nested
  class GracefulShutdown {

    @Test
    void finishesAShortJobAndReleasesALongOneToAnotherWorker() throws Exception {
      CountDownLatch bothRunning = new CountDownLatch(2);
      CountDownLatch finishShort = new CountDownLatch(1);
      CountDownLatch neverEnds = new CountDownLatch(1);
      List<String> interrupted = new CopyOnWriteArrayList<>();
      WorkerRuntime first =
          start(
              WorkerRuntime.builder(dataSource)
                  .config(
                      testConfig(Map.of("default", 2))
                          .withWorkerId("first")
                          .withShutdownTimeout(Duration.ofSeconds(1)))
                  .handler(
                      handler(
                          "short",
                          ctx -> {
                            bothRunning.countDown();
                            finishShort.await();
                          }))
                  .handler(
                      handler(
                          "long",
                          ctx -> {
                            bothRunning.countDown();
                            try {
                              neverEnds.await();
                            } catch (InterruptedException e) {
                              interrupted.add("long");
                              throw e;
                            }
                          })));
      long shortJob = queue.enqueue(JobRequest.of("short", "{}")).job().id();
      long longJob = queue.enqueue(JobRequest.of("long", "{}")).job().id();
      assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(first::stop);
      await().until(() -> !first.isRunning());
      finishShort.countDown();
      stopping.get(15, TimeUnit.SECONDS);

      assertThat(job(shortJob).state()).isEqualTo(JobState.COMPLETED);
      Job released = job(longJob);
      assertThat(released.state()).isEqualTo(JobState.AVAILABLE);
      assertThat(released.attempt()).as("a released attempt is given back").isZero();
      assertThat(interrupted).containsExactly("long");

      List<String> ranOnSecond = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 2)).withWorkerId("second"))
              .handler(handler("long", ctx -> ranOnSecond.add("long"))));
      await().atMost(Duration.ofSeconds(5)).until(() -> job(longJob).state() == JobState.COMPLETED);
      assertThat(job(longJob).leaseOwner()).isEqualTo("second");
      assertThat(job(longJob).attempt()).isEqualTo(1);
    }

    @Test
    void aJobClaimedWhileTheWorkerStopsIsHandedBackNotLeftRunning() throws Exception {
      // A limited queue's claim first locks the queue's control row: holding that lock here keeps
      // the worker's claim in flight for as long as the test likes.
      queue.setLimits("limited", QueueLimits.maxRunning(5));
      long id = queue.enqueue(JobRequest.of("late", "{}").withQueue("limited")).job().id();
      try (Connection blocker = dataSource.getConnection()) {
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
          s.execute("SELECT 1 FROM conveyor.queue_control WHERE queue = 'limited' FOR UPDATE");
        }
        WorkerRuntime worker =
            start(
                WorkerRuntime.builder(dataSource)
                    .config(
                        testConfig(Map.of("limited", 1))
                            .withWorkerId("stopping")
                            .withShutdownTimeout(Duration.ofMillis(100)))
                    .rescuer(null)
                    .handler(handler("late", ctx -> {})));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    jdbc.sql(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query LIKE '%FROM conveyor.queue_control%'")
                            .query(Long.class)
                            .single()
                        > 0);

        worker.stop();
        blocker.rollback();
      }

      // The claim lands after the worker stopped: the job must go back to the queue at once, not
      // stay running under a lease nobody renews.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> "stopping".equals(job(id).leaseOwner()) && job(id).state() != JobState.RUNNING);
      Job after = job(id);
      assertThat(after.state()).isEqualTo(JobState.AVAILABLE);
      assertThat(after.attempt()).isZero();
    }
  }

  @Nested
  class Cancellation {

    @Test
    void aWaitingJobIsCancelledAtOnceAndNeverRuns() {
      long cancelled = queue.enqueue(JobRequest.of("k", "{}")).job().id();
      long after = queue.enqueue(JobRequest.of("k", "{}")).job().id();

      assertThat(queue.cancel(cancelled)).isEqualTo(CancelResult.CANCELLED);
      assertThat(job(cancelled).state()).isEqualTo(JobState.CANCELLED);
      assertThat(job(cancelled).finalizedAt()).isNotNull();

      List<Long> ran = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(handler("k", ctx -> ran.add(ctx.jobId()))));
      await().atMost(Duration.ofSeconds(10)).until(() -> job(after).state() == JobState.COMPLETED);
      assertThat(ran).containsExactly(after);
      assertThat(queue.cancel(after)).isEqualTo(CancelResult.ALREADY_FINISHED);
      assertThat(queue.cancel(424242)).isEqualTo(CancelResult.NOT_FOUND);
    }

    @Test
    void aRunningJobSeesTheRequestAndEndsCancelled() {
      CountDownLatch running = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(
                  handler(
                      "cancellable",
                      ctx -> {
                        running.countDown();
                        while (!ctx.isCancellationRequested()) {
                          LockSupport.parkNanos(5_000_000);
                        }
                        ctx.throwIfCancellationRequested();
                      })));
      awaitListening();
      long id = queue.enqueue(JobRequest.of("cancellable", "{}")).job().id();
      await().until(() -> running.getCount() == 0);

      assertThat(queue.cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

      // NOTIFY carries the request at once; the heartbeat (10 s here) would be the fallback.
      await().atMost(Duration.ofSeconds(3)).until(() -> job(id).state() == JobState.CANCELLED);
      assertThat(job(id).cancelRequested()).isTrue();
      assertThat(queue.errors(id)).isEmpty();
    }

    @Test
    void aJobWhoseCancellationWasRequestedEndsCancelledWhenItsWorkerStopsNotRunsAgain()
        throws Exception {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      WorkerRuntime worker =
          start(
              WorkerRuntime.builder(dataSource)
                  .config(
                      testConfig(Map.of("default", 1))
                          .withWorkerId("stopping")
                          .withShutdownTimeout(Duration.ofMillis(200)))
                  .handler(
                      handler(
                          "stubborn",
                          ctx -> {
                            // A handler that does not look at its cancellation flag.
                            running.countDown();
                            never.await();
                          })));
      long id = queue.enqueue(JobRequest.of("stubborn", "{}")).job().id();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(queue.cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

      worker.stop();

      // Released at shutdown, it must not go back to the queue to run again: the rescuer, a
      // failure or a snooze would all have ended it cancelled.
      Job after = job(id);
      assertThat(after.state()).isEqualTo(JobState.CANCELLED);
      assertThat(after.finalizedAt()).isNotNull();
    }
  }
}
