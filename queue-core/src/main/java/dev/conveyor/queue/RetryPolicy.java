package dev.conveyor.queue;

import java.time.Duration;

/**
 * How long a failed attempt waits before the next one. Implementations must be thread-safe.
 *
 * @see ExponentialBackoff
 */
@FunctionalInterface
public interface RetryPolicy {

  /**
   * The delay before the attempt after {@code failedAttempt} (1 for the first failure). Never
   * negative.
   */
  Duration backoff(int failedAttempt);
}
