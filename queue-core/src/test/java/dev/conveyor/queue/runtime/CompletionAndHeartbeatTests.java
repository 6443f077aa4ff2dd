package dev.conveyor.queue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.QueueTestBase;
import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A completion and the next heartbeat of the same worker, wired as {@link WorkerRuntime} wires
 * them: one lock over their statements, a job held until its completion is recorded.
 */
class CompletionAndHeartbeatTests extends QueueTestBase {

  @Test
  void aHeartbeatRightAfterACompletionDoesNotTakeTheCompletedJobForALostLease() throws Exception {
    JobRepository repository = new JobRepository(dataSource, null);
    queue.enqueue(JobRequest.of("k", "{}"));
    Job job =
        repository
            .claimAvailable(JobRequest.DEFAULT_QUEUE, 1, "test-worker", Duration.ofSeconds(30))
            .getFirst();
    ReentrantLock batchWrites = new ReentrantLock();
    Map<Long, RunningJob> held = new ConcurrentHashMap<>();
    LeaseKeeper keeper =
        new LeaseKeeper(
            repository, Duration.ofSeconds(30), j -> held.get(j.job().id()) == j, batchWrites);
    TransactionTemplate transactions =
        new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    RunningJob running =
        new RunningJob(job, System.nanoTime(), repository, transactions, transactions, keeper);
    held.put(job.id(), running);

    ExecutorService heartbeat = Executors.newSingleThreadExecutor();
    AtomicReference<Future<Boolean>> beat = new AtomicReference<>();
    Completer completer =
        new Completer(
            repository,
            10,
            (completed, written) -> {
              // The heartbeat starts the moment the completion is in the database, before the
              // runtime has let go of the job; it either runs now (the lock is free) or waits.
              beat.set(heartbeat.submit(() -> keeper.beat(List.of(completed))));
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> beat.get().isDone() || batchWrites.hasQueuedThreads());
              held.remove(completed.job().id(), completed);
            },
            dropped -> {},
            () -> {},
            batchWrites);
    try {
      completer.submit(running);
      completer.drain();
      completer.run(); // on this thread, until the queued completion is written

      assertThat(beat.get().get(10, TimeUnit.SECONDS)).as("the heartbeat saw trouble").isFalse();
      assertThat(running.leaseLost()).isFalse();
      assertThat(
              jdbc.sql("SELECT state FROM conveyor.queue_job WHERE id = :id")
                  .param("id", job.id())
                  .query(String.class)
                  .single())
          .isEqualTo("completed");
    } finally {
      heartbeat.shutdownNow();
    }
  }
}
