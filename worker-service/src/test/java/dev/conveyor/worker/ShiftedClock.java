package dev.conveyor.worker;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** The system clock moved by an offset a test sets: a worker machine whose clock is off. */
final class ShiftedClock implements InstantSource {

  private volatile Duration offset = Duration.ZERO;

  void set(Duration offset) {
    this.offset = offset;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }
}
