package dev.conveyor.queue.runtime;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Doubling delays with jitter for loops that must back off after a failure and carry on. */
public final class Backoff {

  private final long minMillis;
  private final long maxMillis;
  private long nextMillis;

  public Backoff(Duration min, Duration max) {
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    this.nextMillis = minMillis;
  }

  /** The delay to wait now; the one after it is twice as long, up to the maximum. */
  public Duration next() {
    long current = nextMillis;
    nextMillis = Math.min(maxMillis, current * 2);
    return Duration.ofMillis(current / 2 + ThreadLocalRandom.current().nextLong(current / 2 + 1));
  }

  public void reset() {
    nextMillis = minMillis;
  }
}
