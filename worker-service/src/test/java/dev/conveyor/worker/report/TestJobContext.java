package dev.conveyor.worker.report;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobState;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One attempt of a report job without a runtime behind it: completeWithin commits through a real
 * transaction, progress is recorded, cancellation is as given.
 */
final class TestJobContext implements JobContext {

  final UUID token = UUID.randomUUID();
  final List<Integer> progress = new CopyOnWriteArrayList<>();
  volatile boolean completed;
  private final TransactionTemplate tx;
  private final Job job;
  private final boolean cancelled;
  private volatile boolean leaseLost;

  TestJobContext(
      TransactionTemplate tx, UUID reportId, int attempt, int maxAttempts, boolean cancelled) {
    this.tx = tx;
    Instant now = Instant.now();
    this.job =
        new Job(
            System.nanoTime(),
            "reports",
            GenerateReportHandler.KIND,
            "{\"reportId\":\"" + reportId + "\"}",
            0,
            JobState.RUNNING,
            now,
            attempt,
            maxAttempts,
            null,
            "test",
            token,
            now.plusSeconds(30),
            0,
            "[]",
            cancelled,
            now,
            now,
            null,
            null);
    this.cancelled = cancelled;
  }

  @Override
  public Job job() {
    return job;
  }

  @Override
  public void progress(int percent) {
    progress.add(percent);
  }

  /**
   * From now on, as the runtime does once a heartbeat found the job rescued: cancellation reads as
   * requested (so the handler stops) and heartbeats fail.
   */
  TestJobContext loseLease() {
    leaseLost = true;
    return this;
  }

  @Override
  public boolean isCancellationRequested() {
    return cancelled || leaseLost;
  }

  @Override
  public boolean heartbeat() {
    return !leaseLost;
  }

  @Override
  public void pauseQueueUntil(Instant until) {}

  @Override
  public <T> @Nullable T completeWithin(Supplier<T> work) {
    T result = tx.execute(status -> work.get());
    completed = true;
    return result;
  }
}
