package dev.conveyor.sampledata;

import java.util.List;

/**
 * SplitMix64, written out here rather than taken from {@link java.util.SplittableRandom}: the data
 * must stay byte-identical across JDK releases, and only our own copy of the algorithm promises
 * that. Not thread-safe; not for anything secret.
 */
final class Rng {

  private long state;

  private Rng(long state) {
    this.state = state;
  }

  /** A stream for {@code seed}, further split by {@code salt} (a table, or a row index). */
  static Rng of(long seed, long salt) {
    return new Rng(mix(seed * 0x9E3779B97F4A7C15L + mix(salt)));
  }

  long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** 0 (inclusive) to {@code bound} (exclusive); the tiny modulo bias does not matter here. */
  int nextInt(int bound) {
    return (int) ((nextLong() >>> 1) % bound);
  }

  boolean chance(int percent) {
    return nextInt(100) < percent;
  }

  <T> T pick(List<T> values) {
    return values.get(nextInt(values.size()));
  }

  /** An index into {@code weights}, chosen in proportion to them. */
  int weighted(int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int x = nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    throw new AssertionError("weights must be positive");
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
