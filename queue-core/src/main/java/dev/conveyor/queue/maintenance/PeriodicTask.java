package dev.conveyor.queue.maintenance;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task on a fixed delay on its own daemon thread; a failure is logged, never fatal. That
 * includes an {@link Error}: a scheduled executor silently cancels a task that throws, and a
 * rescuer or pruner that stopped that way would not be noticed until jobs piled up. A task that
 * reports it is behind (the pruner, when a sweep ended at its bound) runs again at once instead of
 * after the delay.
 */
final class PeriodicTask {

  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final String name;
  private final Duration interval;
  private final BooleanSupplier task;
  private @Nullable ScheduledExecutorService executor;

  /** Runs {@code task} every {@code interval}, whatever it returns. */
  PeriodicTask(String name, Duration interval, Runnable task) {
    this(
        name,
        interval,
        () -> {
          task.run();
          return false;
        });
  }

  private PeriodicTask(String name, Duration interval, BooleanSupplier task) {
    this.name = name;
    this.interval = interval;
    this.task = task;
  }

  /**
   * Runs {@code task} every {@code interval}, and again at once after a run that returned {@code
   * true} (it stopped with work left). A factory, not a constructor overload: a method reference to
   * a {@code boolean} method (the sampler's, the statistics check's) would otherwise pick this
   * variant and run back to back.
   */
  static PeriodicTask untilCaughtUp(String name, Duration interval, BooleanSupplier task) {
    return new PeriodicTask(name, interval, task);
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
    ScheduledExecutorService on = executor;
    on.schedule(() -> runAndReschedule(on), interval.toMillis(), TimeUnit.MILLISECONDS);
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

  private void runAndReschedule(ScheduledExecutorService on) {
    boolean behind = runSafely();
    try {
      on.schedule(
          () -> runAndReschedule(on), behind ? 0 : interval.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      // stop() shut the executor down while this run was in progress.
    }
  }

  private boolean runSafely() {
    try {
      return task.getAsBoolean();
    } catch (RuntimeException | Error e) {
      log.error("{} failed; trying again in {}", name, interval, e);
      return false;
    }
  }
}
