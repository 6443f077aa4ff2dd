package dev.conveyor.queue.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

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
}
