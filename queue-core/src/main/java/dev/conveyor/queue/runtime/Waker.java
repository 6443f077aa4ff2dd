package dev.conveyor.queue.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wake-up flag one thread waits on and others raise. Signals are not counted: many signals before
 * the waiter looks wake it once (the debounce that turns a burst of notifications into one claim),
 * and a signal raised while the waiter is busy is kept for its next wait.
 */
final class Waker {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition raised = lock.newCondition();
  private boolean signalled;

  void signal() {
    lock.lock();
    try {
      signalled = true;
      raised.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until signalled or {@code nanos} pass; clears the flag; true if signalled. */
  boolean await(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!signalled && left > 0) {
        left = raised.awaitNanos(left);
      }
      boolean was = signalled;
      signalled = false;
      return was;
    } finally {
      lock.unlock();
    }
  }

  boolean await(long amount, TimeUnit unit) throws InterruptedException {
    return await(unit.toNanos(amount));
  }
}
