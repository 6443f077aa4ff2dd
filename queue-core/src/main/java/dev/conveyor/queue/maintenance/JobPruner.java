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
 *
 * <p>A sweep deletes batch after batch while they come back full, up to {@code maxBatchesPerSweep};
 * a sweep that ends at that bound is behind, and the next one starts at once instead of after the
 * interval. So the bound only divides the work (a log line per sweep, a prompt stop); it never caps
 * the rate at which finished jobs go, which must keep up with the rate at which they finish.
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
   * @param maxBatchesPerSweep batches in one sweep at most; a sweep that reaches it is followed at
   *     once by the next, not after {@code interval}; default {@value #DEFAULT_MAX_BATCHES}
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
    this.task =
        PeriodicTask.untilCaughtUp("conveyor-pruner", config.interval(), () -> sweep().behind());
  }

  public void start() {
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /** One sweep; returns how many jobs were deleted. */
  public int pruneNow() {
    return sweep().deleted();
  }

  /** What one sweep did; {@code behind} when it stopped at its bound with full batches. */
  private record Sweep(int deleted, boolean behind) {}

  private Sweep sweep() {
    Instant now = clock.instant();
    Instant completedBefore = now.minus(config.completedRetention());
    Instant failedBefore = now.minus(config.failedRetention());
    int total = 0;
    boolean behind = true;
    // An interrupt is stop(): end the sweep between batches rather than finish its bound.
    for (int i = 0;
        i < config.maxBatchesPerSweep() && behind && !Thread.currentThread().isInterrupted();
        i++) {
      int deleted = repository.pruneFinished(completedBefore, failedBefore, config.batchSize());
      total += deleted;
      behind = deleted == config.batchSize();
    }
    if (total > 0) {
      log.info("pruned {} finished jobs{}", total, behind ? "; more to prune, sweeping again" : "");
    }
    return new Sweep(total, behind);
  }
}
