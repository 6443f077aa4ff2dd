package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished jobs after their retention, oldest first, in small batches so that no statement
 * holds many locks and autovacuum keeps up. Safe to run in every worker at once.
 */
public final class JobPruner {

  private static final Logger log = LoggerFactory.getLogger(JobPruner.class);

  /**
   * @param interval time between sweeps; default {@link #DEFAULT_INTERVAL}
   * @param completedRetention how long completed jobs are kept; default {@link
   *     #DEFAULT_COMPLETED_RETENTION}
   * @param failedRetention how long discarded (dead) and cancelled jobs are kept, for inspection
   *     and retry; default {@link #DEFAULT_FAILED_RETENTION}
   * @param batchSize rows deleted per statement; default {@value #DEFAULT_BATCH_SIZE}
   * @param maxBatchesPerSweep a bound on one sweep's work; default {@value #DEFAULT_MAX_BATCHES}
   */
  public record Config(
      Duration interval,
      Duration completedRetention,
      Duration failedRetention,
      int batchSize,
      int maxBatchesPerSweep) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_COMPLETED_RETENTION = Duration.ofDays(1);
    public static final Duration DEFAULT_FAILED_RETENTION = Duration.ofDays(7);
    public static final int DEFAULT_BATCH_SIZE = 1000;
    public static final int DEFAULT_MAX_BATCHES = 100;

    public Config {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("prune interval must be positive");
      }
      if (completedRetention.isNegative() || failedRetention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative");
      }
      if (batchSize < 1 || maxBatchesPerSweep < 1) {
        throw new IllegalArgumentException("prune batch sizes must be at least 1");
      }
    }

    public static Config defaults() {
      return new Config(
          DEFAULT_INTERVAL,
          DEFAULT_COMPLETED_RETENTION,
          DEFAULT_FAILED_RETENTION,
          DEFAULT_BATCH_SIZE,
          DEFAULT_MAX_BATCHES);
    }
  }

  private final JobRepository repository;
  private final Config config;
  private final InstantSource clock;
  private final PeriodicTask task;

  public JobPruner(JobRepository repository, Config config, InstantSource clock) {
    this.repository = repository;
    this.config = config;
    this.clock = clock;
    this.task = new PeriodicTask("conveyor-pruner", config.interval(), this::pruneNow);
  }

  public void start() {
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /** One sweep; returns how many jobs were deleted. */
  public int pruneNow() {
    Instant now = clock.instant();
    Instant completedBefore = now.minus(config.completedRetention());
    Instant failedBefore = now.minus(config.failedRetention());
    int total = 0;
    for (int i = 0; i < config.maxBatchesPerSweep(); i++) {
      int deleted = repository.pruneFinished(completedBefore, failedBefore, config.batchSize());
      total += deleted;
      if (deleted < config.batchSize()) {
        break;
      }
    }
    if (total > 0) {
      log.info("pruned {} finished jobs", total);
    }
    return total;
  }
}
