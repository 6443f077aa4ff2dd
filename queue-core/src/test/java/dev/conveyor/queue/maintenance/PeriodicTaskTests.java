package dev.conveyor.queue.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicTaskTests {

  @Test
  void aTaskThatThrowsAnErrorOrAnExceptionRunsAgain() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch third = new CountDownLatch(1);
    PeriodicTask task =
        new PeriodicTask(
            "periodic-task-test",
            Duration.ofMillis(10),
            () -> {
              int run = runs.incrementAndGet();
              if (run == 1) {
                throw new StackOverflowError("first run");
              }
              if (run == 2) {
                throw new IllegalStateException("second run");
              }
              third.countDown();
            });
    task.start();
    try {
      assertThat(third.await(10, TimeUnit.SECONDS)).as("a third run").isTrue();
    } finally {
      task.stop();
    }
  }

  @Test
  void aTaskOfABooleanMethodRunsOnItsIntervalWhateverItReturns() throws InterruptedException {
    // The depth sampler's and the statistics check's methods return true when they did their work;
    // that must not make them run back to back.
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    PeriodicTask task =
        new PeriodicTask("periodic-task-test", Duration.ofMillis(300), () -> did(runs, first));
    task.start();
    try {
      assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
      long firstAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
      // Runs two and three each waited the interval (300 ms) after the one before.
      assertThat(Duration.ofNanos(System.nanoTime() - firstAt))
          .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    } finally {
      task.stop();
    }
  }

  @Test
  void aTaskThatIsBehindRunsAgainAtOnceAndThenOnItsInterval() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch fifth = new CountDownLatch(5);
    CountDownLatch sixth = new CountDownLatch(6);
    PeriodicTask task =
        PeriodicTask.untilCaughtUp(
            "periodic-task-test",
            Duration.ofMillis(300),
            () -> {
              fifth.countDown();
              sixth.countDown();
              return runs.incrementAndGet() < 5; // behind for the first four runs
            });
    long started = System.nanoTime();
    task.start();
    try {
      assertThat(fifth.await(10, TimeUnit.SECONDS)).isTrue();
      // The first run waits the interval; runs two to five follow at once, not 4 x 300 ms later.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1200));
      long fifthAt = System.nanoTime();
      assertThat(sixth.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - fifthAt))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    } finally {
      task.stop();
    }
  }

  private static boolean did(AtomicInteger runs, CountDownLatch first) {
    runs.incrementAndGet();
    first.countDown();
    return true;
  }
}
