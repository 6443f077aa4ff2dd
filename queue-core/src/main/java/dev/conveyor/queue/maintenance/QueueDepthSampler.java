package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.JobRepository.DepthSample;
import dev.conveyor.queue.jdbc.JobRepository.QueueDepth;
import dev.conveyor.queue.jdbc.OperationsRepository;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the {@code conveyor.queue.depth} (jobs runnable now) and {@code conveyor.queue.oldest.age}
 * (seconds the oldest of them has waited) gauges per queue, for the whole cluster at the cost of
 * one sample per interval, however many processes run one and however long the backlog is; a scrape
 * never touches the database.
 *
 * <ul>
 *   <li><b>One sampler per cluster.</b> On each tick, the process that gets the sampling lock (a
 *       transaction advisory lock) while the stored sample is due takes the sample and stores it in
 *       {@code conveyor.queue_depth}; every other process reads the stored numbers. A sample is due
 *       once it is nine tenths of the interval old, so the process that sampled last finds it due
 *       again at its next tick despite timer and clock jitter, and when that process is gone,
 *       whichever process ticks next takes over.
 *   <li><b>Bounded cost.</b> Each queue is counted exactly up to {@link Config#exactLimit()} jobs;
 *       a queue with more gets the PostgreSQL planner's estimate instead (never below the limit),
 *       so the gauge is an estimate above the limit. See {@code count_available.sql}.
 *   <li><b>Throughput rollup.</b> Given an {@link OperationsRepository}, the process that took the
 *       sample also adds the jobs finalized since the last rollup to {@code
 *       conveyor.queue_throughput} (jobs completed, failed and cancelled per queue and minute, for
 *       the console), reading only those jobs through the finalized_at index.
 * </ul>
 *
 * <p>A failed tick is logged and the gauges keep their last values. Thread-safe.
 */
public final class QueueDepthSampler {

  /** Default time between samples. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /**
   * @param interval time between samples (and ticks of each process); positive; default {@link
   *     #DEFAULT_INTERVAL}
   * @param exactLimit jobs per queue counted exactly, 1 to {@value #MAX_EXACT_LIMIT}; above it the
   *     depth is the planner's estimate; default {@value #DEFAULT_EXACT_LIMIT}
   */
  public record Config(Duration interval, int exactLimit) {
    public static final int DEFAULT_EXACT_LIMIT = 1000;

    /** The highest exact limit: a sample reads up to this many index entries per queue. */
    public static final int MAX_EXACT_LIMIT = 1_000_000;

    public Config {
      if (interval.isNegative() || interval.isZero()) {
        // Caught here: the scheduler would only refuse it when the sampler starts.
        throw new IllegalArgumentException("depth sampling interval must be positive");
      }
      if (exactLimit < 1 || exactLimit > MAX_EXACT_LIMIT) {
        throw new IllegalArgumentException(
            "depth exact limit must be between 1 and " + MAX_EXACT_LIMIT);
      }
    }

    public static Config defaults() {
      return new Config(DEFAULT_INTERVAL, DEFAULT_EXACT_LIMIT);
    }
  }

  private final JobRepository repository;
  private final QueueMetrics metrics;
  private final Config config;
  private final String samplerId;
  private final Duration due;
  private final PeriodicTask task;
  private final @Nullable OperationsRepository rollup;

  /**
   * @param metrics whose depth gauges this sampler sets
   * @param samplerId names this process in {@code conveyor.queue_depth_sample.sampled_by}
   */
  public QueueDepthSampler(
      JobRepository repository, QueueMetrics metrics, Config config, String samplerId) {
    this(repository, metrics, config, samplerId, null);
  }

  /**
   * @param rollup where to roll up finished jobs per minute when this process samples; {@code
   *     null}: no rollup
   */
  public QueueDepthSampler(
      JobRepository repository,
      QueueMetrics metrics,
      Config config,
      String samplerId,
      @Nullable OperationsRepository rollup) {
    this.rollup = rollup;
    this.repository = repository;
    this.metrics = metrics;
    this.config = config;
    this.samplerId = samplerId;
    this.due = config.interval().multipliedBy(9).dividedBy(10);
    this.task = new PeriodicTask("conveyor-depth-sampler", config.interval(), this::sampleNow);
  }

  public void start() {
    sampleQuietly();
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /**
   * One tick: takes the cluster's sample if it is due and no other process is taking it, otherwise
   * reads the stored one; then sets the gauges. Queues with gauges but no runnable job go to zero.
   *
   * @return whether this process took the sample
   */
  public boolean sampleNow() {
    DepthSample sample = repository.sampleQueueDepth(samplerId, due, config.exactLimit());
    Set<String> idle = new HashSet<>(metrics.depthQueues());
    for (QueueDepth depth : sample.depths()) {
      metrics.queueDepth(depth.queue(), depth.jobs(), depth.oldestSeconds());
      idle.remove(depth.queue());
    }
    for (String queue : idle) {
      metrics.queueDepth(queue, 0, 0);
    }
    if (sample.sampledHere() && rollup != null) {
      rollup.rollUpThroughput();
    }
    return sample.sampledHere();
  }

  private void sampleQuietly() {
    try {
      sampleNow();
    } catch (RuntimeException e) {
      // The periodic task logs failures; the first sample is best effort.
    }
  }
}
