package dev.conveyor.worker.callback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Whether the API accepts this worker's callbacks, as the {@code apiCallbacks} health component,
 * the {@code conveyor.callback.rejected} counter (tag {@code status}) and the log:
 *
 * <ul>
 *   <li>{@link #rejected}: the counter goes up; the component is {@link #DEGRADED} with the reason,
 *       the status, since when and how many rejections in its details; the reason is logged at
 *       ERROR the first time it is seen (not on every attempt: a misconfigured worker retries every
 *       callback for as long as it lasts);
 *   <li>{@link #delivered}: the component is UP again, and a reason seen again is logged again.
 * </ul>
 *
 * DEGRADED, not DOWN: the worker still runs its jobs and stores their files, and the API settles
 * completed reports from the database if no callback gets through; restarting or taking the worker
 * out of service would not help. The status is mapped to HTTP 200 and the readiness group does not
 * include this component (application.yml). Thread-safe; reads in-memory state only.
 */
final class ApiCallbackHealth implements HealthIndicator {

  /** The API refuses callbacks: the worker runs, but reports wait for the API's settler. */
  static final Status DEGRADED =
      new Status("DEGRADED", "the API rejects this worker's callbacks; they are retried");

  static final String REJECTED = "conveyor.callback.rejected";

  private static final Logger log = LoggerFactory.getLogger(ApiCallbackHealth.class);

  private final MeterRegistry registry;
  private final InstantSource clock;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final AtomicLong rejections = new AtomicLong();
  private volatile @Nullable Rejection last;

  private record Rejection(int status, String reason, Instant since) {}

  ApiCallbackHealth(MeterRegistry registry, InstantSource clock) {
    this.registry = registry;
    this.clock = clock;
    // The likeliest rejection is exported at zero from the start, so that an alert on its increase
    // sees the first one too.
    counter(401);
  }

  /** The API rejected a callback with {@code status} for {@code reason}. */
  void rejected(int status, String reason) {
    counter(status).increment();
    rejections.incrementAndGet();
    Rejection previous = last;
    last = new Rejection(status, reason, previous == null ? clock.instant() : previous.since());
    if (logged.add(status + " " + reason)) {
      log.error(
          "The API rejects callbacks with {}: {}. They are retried until it accepts them (check"
              + " conveyor.worker-service.callback-secret against the API's"
              + " conveyor.api.callbacks.secrets, and this machine's clock); meanwhile the API"
              + " settles completed reports from the database",
          status,
          reason);
    }
  }

  /** A callback was delivered: the API accepts this worker's callbacks. */
  void delivered() {
    if (last == null) {
      return;
    }
    last = null;
    long count = rejections.getAndSet(0);
    logged.clear();
    log.info("The API accepts callbacks again, after {} rejected deliveries", count);
  }

  @Override
  public Health health() {
    Rejection r = last;
    if (r == null) {
      return Health.up().build();
    }
    return Health.status(DEGRADED)
        .withDetail("reason", r.reason())
        .withDetail("status", r.status())
        .withDetail("since", r.since().toString())
        .withDetail("rejections", rejections.get())
        .build();
  }

  private Counter counter(int status) {
    return Counter.builder(REJECTED)
        .description("Callbacks the API rejected (3xx or 4xx other than 408 and 429), by status")
        .tag("status", Integer.toString(status))
        .register(registry);
  }
}
