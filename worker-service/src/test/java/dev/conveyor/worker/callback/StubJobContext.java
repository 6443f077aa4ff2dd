package dev.conveyor.worker.callback;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobState;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A claimed job's context without a queue behind it, for handlers whose work is outside the
 * database (the callback deliverer reads only the payload).
 */
record StubJobContext(Job job) implements JobContext {

  static StubJobContext withPayload(String payload) {
    return onAttempt(payload, 1, 25);
  }

  /** Attempt {@code attempt} of {@code maxAttempts}. */
  static StubJobContext onAttempt(String payload, int attempt, int maxAttempts) {
    Instant now = Instant.now();
    return new StubJobContext(
        new Job(
            1L,
            "callbacks",
            ReportEvents.DELIVER_KIND,
            payload,
            0,
            JobState.RUNNING,
            now,
            attempt,
            maxAttempts,
            null,
            "test",
            UUID.randomUUID(),
            now.plusSeconds(30),
            0,
            "[]",
            false,
            now,
            now,
            null,
            null,
            null));
  }

  @Override
  public void progress(int percent) {}

  @Override
  public boolean isCancellationRequested() {
    return false;
  }

  @Override
  public boolean heartbeat() {
    return true;
  }

  @Override
  public void pauseQueueUntil(Instant until) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <T> T completeWithin(Supplier<T> work) {
    throw new UnsupportedOperationException();
  }
}
