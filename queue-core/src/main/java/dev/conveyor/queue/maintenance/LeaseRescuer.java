package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.JobState;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.JobRepository.Rescued;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back jobs whose lease expired (their worker died, hung, or lost the database): they run
 * again, or are discarded if that was their last attempt, with "lease expired" recorded as the
 * attempt's error. Safe to run in every worker at once.
 */
public final class LeaseRescuer {

  private static final Logger log = LoggerFactory.getLogger(LeaseRescuer.class);

  /**
   * @param interval time between sweeps; default {@link #DEFAULT_INTERVAL}
   * @param batchSize jobs rescued per statement; default {@value #DEFAULT_BATCH_SIZE}
   */
  public record Config(Duration interval, int batchSize) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    public static final int DEFAULT_BATCH_SIZE = 500;

    public Config {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("rescue interval must be positive");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("rescue batch size must be at least 1");
      }
    }

    public static Config defaults() {
      return new Config(DEFAULT_INTERVAL, DEFAULT_BATCH_SIZE);
    }
  }

  private final JobRepository repository;
  private final QueueMetrics metrics;
  private final Config config;
  private final Consumer<String> rescuedInQueue;
  private final PeriodicTask task;

  /**
   * @param rescuedInQueue told the queue of each job made available again (to wake a local
   *     fetcher); may ignore it
   */
  public LeaseRescuer(
      JobRepository repository,
      QueueMetrics metrics,
      Config config,
      Consumer<String> rescuedInQueue) {
    this.repository = repository;
    this.metrics = metrics;
    this.config = config;
    this.rescuedInQueue = rescuedInQueue;
    this.task = new PeriodicTask("conveyor-rescuer", config.interval(), this::rescueNow);
  }

  public void start() {
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /** One sweep, batch after batch until nothing is left; returns how many were rescued. */
  public int rescueNow() {
    int total = 0;
    while (true) {
      List<Rescued> rescued = repository.rescueExpired(config.batchSize());
      for (Rescued job : rescued) {
        metrics.rescued(job.queue(), job.kind());
        log.warn(
            "rescued job {} ({}) from an expired lease after attempt {}; now {}",
            job.id(),
            job.kind(),
            job.attempt(),
            job.state().dbValue());
        if (job.state() == JobState.AVAILABLE) {
          rescuedInQueue.accept(job.queue());
        }
      }
      total += rescued.size();
      if (rescued.size() < config.batchSize()) {
        return total;
      }
    }
  }
}
