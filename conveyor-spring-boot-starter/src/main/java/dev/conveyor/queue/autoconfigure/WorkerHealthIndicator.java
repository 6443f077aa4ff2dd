package dev.conveyor.queue.autoconfigure;

import dev.conveyor.queue.runtime.WorkerRuntime;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports a {@link WorkerRuntime}'s state as the {@code conveyor} health component.
 *
 * <ul>
 *   <li><b>UP</b> while the runtime runs and its claims succeed;
 *   <li><b>DOWN</b> before it started, once it began stopping, or while the last claim of some
 *       queue failed ({@code claimsFailing}: the database is unreachable or refusing);
 *   <li>a lost LISTEN connection keeps it UP, because workers poll meanwhile; it shows as {@code
 *       listenerConnected=false} in the details.
 * </ul>
 *
 * <p>Details: {@code workerId}, {@code phase}, {@code runningByQueue}, {@code held}, {@code
 * completionBacklog}, {@code claimsFailing} and, when the worker listens, {@code
 * listenerConnected}. Cheap: reads in-memory state only, never the database. Thread-safe.
 */
public final class WorkerHealthIndicator implements HealthIndicator {

  private final WorkerRuntime runtime;

  public WorkerHealthIndicator(WorkerRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Health health() {
    WorkerRuntime.Status status = runtime.status();
    boolean up = runtime.isRunning() && !status.claimsFailing();
    Health.Builder health = up ? Health.up() : Health.down();
    health
        .withDetail("workerId", status.workerId())
        .withDetail("phase", status.phase())
        .withDetail("runningByQueue", status.runningByQueue())
        .withDetail("held", status.held())
        .withDetail("completionBacklog", status.completionBacklog())
        .withDetail("claimsFailing", status.claimsFailing());
    Boolean listenerConnected = status.listenerConnected();
    if (listenerConnected != null) {
      health.withDetail("listenerConnected", listenerConnected);
    }
    return health.build();
  }
}
