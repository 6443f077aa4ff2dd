package dev.conveyor.queue.runtime;

import java.time.Duration;

/** How one attempt ended, as {@link JobExecutor} decided it from the handler's return. */
sealed interface Outcome {

  /** Metric tag value. */
  String tag();

  /** Returned normally: complete (in a batch). */
  record Completed() implements Outcome {
    public String tag() {
      return "completed";
    }
  }

  /** The handler completed the job in its own transaction already. */
  record CompletedWithin() implements Outcome {
    public String tag() {
      return "completed";
    }
  }

  /** Failed: retry after {@code delay}, or discard if {@code permanent} or out of attempts. */
  record Failed(Throwable error, boolean permanent, Duration delay) implements Outcome {
    public String tag() {
      return permanent ? "discarded" : "failed";
    }
  }

  /** Run again after {@code delay} without spending the attempt. */
  record Snoozed(Duration delay) implements Outcome {
    public String tag() {
      return "snoozed";
    }
  }

  /** Stopped on a cancellation request. */
  record Cancelled() implements Outcome {
    public String tag() {
      return "cancelled";
    }
  }
}
