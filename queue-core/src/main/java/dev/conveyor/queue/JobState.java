package dev.conveyor.queue;

import java.util.Locale;

/** Where a job is in its life. The database column holds the lower-case name. */
public enum JobState {
  /** Waiting to run; {@code runAt} may be in the future (delayed, or backing off a retry). */
  AVAILABLE,
  /** Claimed by a worker that holds a lease on it. */
  RUNNING,
  /** Finished successfully. Terminal. */
  COMPLETED,
  /** Dead: failed permanently or used up its attempts. Terminal; errors are kept. */
  DISCARDED,
  /** Cancelled before or while it ran. Terminal. */
  CANCELLED;

  /** The value stored in {@code conveyor.queue_job.state}. */
  public String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a stored value (lower case, as {@link #dbValue()} writes it). */
  public static JobState fromDb(String value) {
    // Called for every row a claim returns: a switch, not an upper-casing copy and a map look-up.
    return switch (value) {
      case "available" -> AVAILABLE;
      case "running" -> RUNNING;
      case "completed" -> COMPLETED;
      case "discarded" -> DISCARDED;
      case "cancelled" -> CANCELLED;
      default -> throw new IllegalArgumentException("not a job state: " + value);
    };
  }

  /** True for the states a job never leaves on its own. */
  public boolean isFinished() {
    return this == COMPLETED || this == DISCARDED || this == CANCELLED;
  }
}
