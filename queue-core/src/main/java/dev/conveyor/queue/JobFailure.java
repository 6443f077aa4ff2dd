package dev.conveyor.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * Exceptions a handler throws to choose an outcome other than "retry". Any exception that is not a
 * {@code JobFailure} means "retry with backoff".
 */
public abstract sealed class JobFailure extends RuntimeException
    permits JobFailure.Permanent, JobFailure.Snooze, JobFailure.Cancelled {

  private JobFailure(String message, Throwable cause) {
    super(message, cause, false, cause != null);
  }

  /** Discard the job now: retrying cannot help (bad input, missing record). */
  public static Permanent permanent(String reason) {
    return new Permanent(reason, null);
  }

  /** Discard the job now, keeping the cause. */
  public static Permanent permanent(String reason, Throwable cause) {
    return new Permanent(reason, cause);
  }

  /** Run again after {@code delay} without spending an attempt (e.g. upstream rate limit). */
  public static Snooze snooze(Duration delay) {
    return new Snooze(delay);
  }

  /** Stop because cancellation was requested; the job ends cancelled. */
  public static Cancelled cancelled() {
    return new Cancelled();
  }

  /** See {@link #permanent(String)}. */
  public static final class Permanent extends JobFailure {
    private Permanent(String reason, Throwable cause) {
      super(Objects.requireNonNull(reason, "reason"), cause);
    }
  }

  /** See {@link #snooze(Duration)}. */
  public static final class Snooze extends JobFailure {
    private final Duration delay;

    private Snooze(Duration delay) {
      super("snoozed for " + delay, null);
      if (delay.isNegative()) {
        throw new IllegalArgumentException("snooze delay must not be negative");
      }
      this.delay = delay;
    }

    public Duration delay() {
      return delay;
    }
  }

  /** See {@link #cancelled()}. */
  public static final class Cancelled extends JobFailure {
    private Cancelled() {
      super("cancelled", null);
    }
  }
}
