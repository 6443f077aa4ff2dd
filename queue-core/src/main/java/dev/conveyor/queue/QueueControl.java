package dev.conveyor.queue;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A queue's pause and cluster-wide limits, as stored in {@code conveyor.queue_control}.
 *
 * @param queue the queue
 * @param pausedUntil no claims before this instant ({@link Instant#MAX} when paused until resumed);
 *     {@code null} when not paused
 * @param paused whether the queue is paused now (database clock)
 * @param limits its limits
 */
public record QueueControl(
    String queue, @Nullable Instant pausedUntil, boolean paused, QueueLimits limits) {

  /** True when claims of this queue must go through the limited (serialized) claim. */
  public boolean limited() {
    return limits.any();
  }

  /**
   * Cluster-wide limits of one queue; each is optional ({@code null}: no limit).
   *
   * @param maxRunning at most this many of its jobs running at once across all workers
   * @param maxRunningPerKey at most this many running at once per {@link Job#partitionKey()}
   * @param rateLimit at most this many job starts in any {@code ratePeriod} window
   * @param ratePeriod the window of {@code rateLimit}; set exactly when it is
   */
  public record QueueLimits(
      @Nullable Integer maxRunning,
      @Nullable Integer maxRunningPerKey,
      @Nullable Integer rateLimit,
      @Nullable Duration ratePeriod) {

    /** No limits. */
    public static final QueueLimits NONE = new QueueLimits(null, null, null, null);

    public QueueLimits {
      if (maxRunning != null && maxRunning < 1) {
        throw new IllegalArgumentException("maxRunning must be at least 1");
      }
      if (maxRunningPerKey != null && maxRunningPerKey < 1) {
        throw new IllegalArgumentException("maxRunningPerKey must be at least 1");
      }
      if ((rateLimit == null) != (ratePeriod == null)) {
        throw new IllegalArgumentException("rateLimit and ratePeriod go together");
      }
      if (rateLimit != null && rateLimit < 1) {
        throw new IllegalArgumentException("rateLimit must be at least 1");
      }
      if (ratePeriod != null && (ratePeriod.isNegative() || ratePeriod.toMillis() < 1)) {
        throw new IllegalArgumentException("ratePeriod must be at least 1 ms");
      }
    }

    /** At most {@code maxRunning} running at once. */
    public static QueueLimits maxRunning(int maxRunning) {
      return new QueueLimits(maxRunning, null, null, null);
    }

    public QueueLimits withMaxRunningPerKey(@Nullable Integer perKey) {
      return new QueueLimits(maxRunning, perKey, rateLimit, ratePeriod);
    }

    public QueueLimits withRate(int starts, Duration period) {
      return new QueueLimits(maxRunning, maxRunningPerKey, starts, period);
    }

    public boolean any() {
      return maxRunning != null || maxRunningPerKey != null || rateLimit != null;
    }
  }
}
