package dev.conveyor.queue.maintenance;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task on a fixed delay on its own daemon thread; a failure is logged, never fatal. That
 * includes an {@link Error}: a scheduled executor silently cancels a task that throws, and a
 * rescuer or pruner that stopped that way would not be noticed until jobs piled up.
 */
final class PeriodicTask {

  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final String name;
  private final Duration interval;
  private final Runnable task;
  private @Nullable ScheduledExecutorService executor;

  PeriodicTask(String name, Duration interval, Runnable task) {
    this.name = name;
    this.interval = interval;
    this.task = task;
  }

  synchronized void start() {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::runSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  synchronized void stop() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor = null;
  }

  private void runSafely() {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("{} failed; trying again in {}", name, interval, e);
    }
  }
}
