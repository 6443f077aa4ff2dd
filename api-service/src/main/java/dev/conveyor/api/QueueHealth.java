package dev.conveyor.api;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.util.OptionalLong;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code queue} health, part of readiness: the queue schema is there and at the version this
 * build's queue-core writes. Anything else means the migrations have not run (or a newer release
 * ran them), and enqueueing would fail.
 */
@Component("queue")
class QueueHealth implements HealthIndicator {

  private final JobRepository jobs;

  QueueHealth(JobRepository jobs) {
    this.jobs = jobs;
  }

  @Override
  public Health health() {
    OptionalLong version;
    try {
      version = jobs.schemaVersion();
    } catch (RuntimeException e) {
      // DOWN, like the db indicator, rather than an exception that fails the whole health answer
      // (no message: it may name the host).
      return Health.down()
          .withDetail("schemaVersion", "unknown: the database cannot be read")
          .build();
    }
    Health.Builder builder =
        version.isPresent() && version.getAsLong() == WorkerRuntime.SCHEMA_VERSION
            ? Health.up()
            : Health.down();
    return builder
        .withDetail("schemaVersion", version.isPresent() ? version.getAsLong() : "missing")
        .withDetail("expectedSchemaVersion", WorkerRuntime.SCHEMA_VERSION)
        .build();
  }
}
