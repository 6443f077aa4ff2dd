package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
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
  }
}
