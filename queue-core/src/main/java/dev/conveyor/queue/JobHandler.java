package dev.conveyor.queue;

import org.jspecify.annotations.Nullable;

/**
 * Runs the jobs of one kind. Register handlers with a {@link
 * dev.conveyor.queue.runtime.WorkerRuntime} (or as Spring beans: the auto-configuration starts a
 * runtime when at least one exists).
 *
 * <p>The outcome is decided by how {@link #handle} returns:
 *
 * <ul>
 *   <li>normally: the job is completed;
 *   <li>{@link JobFailure#permanent(String)}: discarded now, no retry;
 *   <li>{@link JobFailure#snooze(java.time.Duration)}: runs again later without spending an
 *       attempt;
 *   <li>{@link JobFailure#cancelled()} (or any exception once cancellation was requested):
 *       cancelled;
 *   <li>any other exception: retried after the {@link RetryPolicy}'s backoff, and discarded once
 *       the last attempt fails.
 * </ul>
 *
 * <p>Handlers run on virtual threads, many at once: they must be thread-safe. Delivery is at least
 * once, so a handler must be idempotent (key its side effects on job id and attempt, or on its own
 * business key).
 */
public interface JobHandler {

  /** The job kind this handler runs, e.g. {@code report.generate}. */
  String kind();

  /** Runs one attempt of one job. */
  void handle(JobContext context) throws Exception;

  /** The backoff for this kind's retries; {@code null} uses the runtime's policy. */
  default @Nullable RetryPolicy retryPolicy() {
    return null;
  }

  /**
   * A handler of {@code kind} that runs {@code body}, with the runtime's retry policy: for handlers
   * written as a lambda, e.g. {@code JobHandler.of("email.send", ctx ->
   * mailer.send(ctx.payload()))}.
   *
   * @throws IllegalArgumentException if {@code kind} is blank
   */
  static JobHandler of(String kind, Body body) {
    if (kind.isBlank()) {
      throw new IllegalArgumentException("a job kind must not be blank");
    }
    return new JobHandler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void handle(JobContext context) throws Exception {
        body.handle(context);
      }

      @Override
      public String toString() {
        return "JobHandler[" + kind + "]";
      }
    };
  }

  /** What {@link #handle} does, as a lambda; see {@link #of}. */
  @FunctionalInterface
  interface Body {

    /** Runs one attempt of one job, with the outcomes {@link JobHandler} lists. */
    void handle(JobContext context) throws Exception;
  }
}
