package dev.conveyor.queue;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * What a running handler knows about and can do to its job. One context per attempt; it is
 * thread-safe, so a handler may hand it to threads it starts.
 */
public interface JobContext {

  /** The job as claimed for this attempt. */
  Job job();

  default long jobId() {
    return job().id();
  }

  default int attempt() {
    return job().attempt();
  }

  /** The job's JSON payload. */
  default String payload() {
    return job().payload();
  }

  /**
   * The fencing token of this attempt. Send it with any effect outside the queue (a callback, a
   * write to another system) so the receiver can refuse effects of a superseded attempt.
   */
  default UUID leaseToken() {
    UUID token = job().leaseToken();
    if (token == null) {
      throw new IllegalStateException("a claimed job always has a lease token");
    }
    return token;
  }

  /**
   * Records progress, 0 to 100. Written to the database at most about once a second (the latest
   * value wins; the final value is written when the job completes), and never after the lease is
   * lost.
   */
  void progress(int percent);

  /** True once cancellation of this job was requested, or its lease was lost. */
  boolean isCancellationRequested();

  /**
   * Throws {@link JobFailure#cancelled()} if {@link #isCancellationRequested()}. The worker's
   * context throws {@link LeaseLostException} instead when the job was not cancelled but its lease
   * was lost: another attempt may own the job, so the handler must not report a cancellation (nor
   * anything else) for it.
   */
  default void throwIfCancellationRequested() {
    if (isCancellationRequested()) {
      throw JobFailure.cancelled();
    }
  }

  /**
   * Extends the lease now. The runtime already renews every running job's lease in the background;
   * call this only from a handler that may block its virtual thread's carrier for longer than the
   * heartbeat interval. Returns false if the lease was lost.
   */
  boolean heartbeat();

  /**
   * Pauses this job's whole queue until {@code until}, cluster-wide (the FLOOD_WAIT case: the
   * upstream said to wait). Usually followed by {@code throw JobFailure.snooze(...)} so this job
   * runs again after the pause too.
   */
  void pauseQueueUntil(java.time.Instant until);

  /**
   * Runs {@code work} and marks the job completed in the same database transaction, so the
   * handler's own writes and the completion commit or roll back together (River's JobCompleteTx).
   * If the lease was lost meanwhile, the transaction is rolled back and a {@link
   * LeaseLostException} is thrown. After it returns, the handler should return too.
   */
  <T> T completeWithin(Supplier<T> work);

  /** Like {@link #completeWithin(Supplier)} for work without a result. */
  default void completeWithin(Runnable work) {
    completeWithin(
        () -> {
          work.run();
          return null;
        });
  }
}
