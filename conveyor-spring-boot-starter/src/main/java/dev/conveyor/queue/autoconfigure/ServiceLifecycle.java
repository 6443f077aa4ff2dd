package dev.conveyor.queue.autoconfigure;

import org.springframework.context.SmartLifecycle;

/**
 * Starts one queue service when the application context has refreshed and stops it when the context
 * closes, in {@link QueueAutoConfiguration#LIFECYCLE_PHASE}. The stop is synchronous: the context's
 * shutdown waits for it (a worker's graceful stop takes up to its shutdown timeout), which Spring's
 * per-phase shutdown timeout does not cut short.
 */
final class ServiceLifecycle implements SmartLifecycle {

  private final Runnable start;
  private final Runnable stop;
  private volatile boolean running;

  ServiceLifecycle(Runnable start, Runnable stop) {
    this.start = start;
    this.stop = stop;
  }

  @Override
  public void start() {
    start.run();
    running = true;
  }

  @Override
  public void stop() {
    if (running) {
      running = false;
      stop.run();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return QueueAutoConfiguration.LIFECYCLE_PHASE;
  }
}
