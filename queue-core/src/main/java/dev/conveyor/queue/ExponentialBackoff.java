package dev.conveyor.queue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code base × 2^(failedAttempt-1)}, capped at {@code cap}, then spread by ±{@code jitter} (a
 * fraction) so that jobs that failed together do not retry together.
 *
 * @param base delay after the first failure; {@link #DEFAULT_BASE} by default
 * @param cap the longest delay; {@link #DEFAULT_CAP} by default
 * @param jitter 0 to 1; {@value #DEFAULT_JITTER} by default
 */
public record ExponentialBackoff(Duration base, Duration cap, double jitter)
    implements RetryPolicy {

  public static final Duration DEFAULT_BASE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CAP = Duration.ofHours(1);
  public static final double DEFAULT_JITTER = 0.2;

  public ExponentialBackoff {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base must be positive");
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap must be at least base");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be between 0 and 1");
    }
  }

  /** The defaults: 1 s doubling to at most 1 h, ±20 %. */
  public static ExponentialBackoff defaults() {
    return new ExponentialBackoff(DEFAULT_BASE, DEFAULT_CAP, DEFAULT_JITTER);
  }

  @Override
  public Duration backoff(int failedAttempt) {
    int exponent = Math.clamp(failedAttempt - 1, 0, 62);
    double millis = Math.min((double) cap.toMillis(), base.toMillis() * Math.pow(2, exponent));
    double spread = jitter == 0 ? 1 : 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
    return Duration.ofMillis(Math.round(millis * spread));
  }
}
