package dev.conveyor.queue.autoconfigure;

import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.runtime.WorkerConfig;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Queue settings shared by every process on the queue, bound from {@code conveyor.queue.*}
 * (kebab-case, e.g. {@code conveyor.queue.lease.duration=45s}).
 *
 * <p>A setting left unset is {@code null} here and takes the default constant of the core record it
 * feeds ({@link WorkerConfig}, {@link ExponentialBackoff}, {@link LeaseRescuer.Config}, {@link
 * JobPruner.Config}, {@link QueueDepthSampler}), so every default lives in exactly one place.
 * Values are validated where they are used, by those records' constructors: an invalid combination
 * (a heartbeat longer than a third of the lease, a jitter above 1) fails the application's startup.
 *
 * @param listenUrl a JDBC URL for the LISTEN connection alone, for when the application's pool goes
 *     through a transaction pooler (PgBouncer in transaction mode, Neon's pooler) that cannot hold
 *     a session; it is opened with the {@code spring.datasource} user name and password, so leave
 *     credentials out of it. Unset: {@code conveyor.db.direct-url} (see {@link
 *     DatabaseProperties}), else the LISTEN connection goes where the pool goes (a dedicated
 *     connection with a Hikari pool's URL and credentials, else one borrowed from the pool)
 * @param listenEnabled whether workers LISTEN for wake-ups at all; when {@code false} they only
 *     poll (every {@code conveyor.worker.fetch.poll-interval}), and a running job's cancellation is
 *     noticed at its next heartbeat instead of at once. Default {@code true}
 * @param lease how long a claim holds a job, see {@link Lease}
 * @param retry the backoff between a failed attempt and the next, see {@link Retry}
 * @param rescuer the sweep that takes back jobs whose lease expired, see {@link Rescuer}
 * @param pruner the sweep that deletes old finished jobs, see {@link Pruner}
 * @param statistics the check that keeps the queue table's planner statistics current, see {@link
 *     Statistics}
 * @param metrics the queue depth gauges, see {@link Metrics}
 */
@ConfigurationProperties("conveyor.queue")
public record QueueProperties(
    @Nullable String listenUrl,
    @DefaultValue("true") boolean listenEnabled,
    @DefaultValue Lease lease,
    @DefaultValue Retry retry,
    @DefaultValue Rescuer rescuer,
    @DefaultValue Pruner pruner,
    @DefaultValue Statistics statistics,
    @DefaultValue Metrics metrics) {

  public QueueProperties {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(rescuer, "rescuer");
    Objects.requireNonNull(pruner, "pruner");
    Objects.requireNonNull(statistics, "statistics");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** Like the generated one, but without the listen URL's query, which may carry a password. */
  @Override
  public String toString() {
    String url = listenUrl == null ? null : listenUrl.replaceFirst("\\?.*", "?…");
    return "QueueProperties[listenUrl=%s, listenEnabled=%s, lease=%s, retry=%s, rescuer=%s,"
            .formatted(url, listenEnabled, lease, retry, rescuer)
        + " pruner=%s, statistics=%s, metrics=%s]".formatted(pruner, statistics, metrics);
  }

  /**
   * Job leases ({@code conveyor.queue.lease.*}).
   *
   * @param duration how long a claim or renewal holds a job; a job whose worker stops renewing it
   *     is rescued this long after the last renewal. Default {@link WorkerConfig#DEFAULT_LEASE}
   * @param heartbeat how often running jobs' leases are renewed, at most a third of {@code
   *     duration}. Default: a third of {@code duration} when that is set, else {@link
   *     WorkerConfig#DEFAULT_HEARTBEAT}
   */
  public record Lease(@Nullable Duration duration, @Nullable Duration heartbeat) {}

  /**
   * The runtime's retry policy ({@code conveyor.queue.retry.*}), used for kinds whose handler has
   * none of its own: {@code base × 2^(attempt-1)}, capped, then spread by the jitter.
   *
   * @param base delay after the first failure; default {@link ExponentialBackoff#DEFAULT_BASE}
   * @param cap the longest delay; default {@link ExponentialBackoff#DEFAULT_CAP}
   * @param jitter the spread as a fraction, 0 to 1; default {@link
   *     ExponentialBackoff#DEFAULT_JITTER}
   */
  public record Retry(@Nullable Duration base, @Nullable Duration cap, @Nullable Double jitter) {

    /**
     * The backoff these settings describe.
     *
     * @throws IllegalArgumentException if they are out of range (see {@link ExponentialBackoff})
     */
    public ExponentialBackoff toBackoff() {
      return new ExponentialBackoff(
          orDefault(base, ExponentialBackoff.DEFAULT_BASE),
          orDefault(cap, ExponentialBackoff.DEFAULT_CAP),
          orDefault(jitter, ExponentialBackoff.DEFAULT_JITTER));
    }
  }

  /**
   * The lease rescuer of each worker ({@code conveyor.queue.rescuer.*}). Safe to run in every
   * worker at once; switch it off only where another process rescues.
   *
   * @param enabled whether this worker runs the rescuer; default {@code true}
   * @param interval time between sweeps; default {@link LeaseRescuer.Config#DEFAULT_INTERVAL}
   * @param batchSize jobs rescued per statement; default {@link
   *     LeaseRescuer.Config#DEFAULT_BATCH_SIZE}
   */
  public record Rescuer(
      @DefaultValue("true") boolean enabled,
      @Nullable Duration interval,
      @Nullable Integer batchSize) {

    /**
     * The rescuer's config, or {@code null} when switched off.
     *
     * @throws IllegalArgumentException if the values are out of range
     */
    public LeaseRescuer.@Nullable Config toConfig() {
      if (!enabled) {
        return null;
      }
      return new LeaseRescuer.Config(
          orDefault(interval, LeaseRescuer.Config.DEFAULT_INTERVAL),
          orDefault(batchSize, LeaseRescuer.Config.DEFAULT_BATCH_SIZE));
    }
  }

  /**
   * The pruner of each worker ({@code conveyor.queue.pruner.*}), which deletes finished jobs after
   * their retention. Safe to run in every worker at once.
   *
   * @param enabled whether this worker runs the pruner; default {@code true}
   * @param interval time between sweeps; default {@link JobPruner.Config#DEFAULT_INTERVAL}
   * @param completedRetention how long completed jobs are kept; default {@link
   *     JobPruner.Config#DEFAULT_COMPLETED_RETENTION}
   * @param failedRetention how long discarded and cancelled jobs are kept for inspection and retry;
   *     default {@link JobPruner.Config#DEFAULT_FAILED_RETENTION}
   * @param batchSize rows deleted per statement; default {@link
   *     JobPruner.Config#DEFAULT_BATCH_SIZE}
   */
  public record Pruner(
      @DefaultValue("true") boolean enabled,
      @Nullable Duration interval,
      @Nullable Duration completedRetention,
      @Nullable Duration failedRetention,
      @Nullable Integer batchSize) {

    /**
     * The pruner's config, or {@code null} when switched off. One sweep stays at most {@link
     * JobPruner.Config#DEFAULT_MAX_BATCHES} batches; a pruner still behind after it sweeps again at
     * once.
     *
     * @throws IllegalArgumentException if the values are out of range
     */
    public JobPruner.@Nullable Config toConfig() {
      if (!enabled) {
        return null;
      }
      return new JobPruner.Config(
          orDefault(interval, JobPruner.Config.DEFAULT_INTERVAL),
          orDefault(completedRetention, JobPruner.Config.DEFAULT_COMPLETED_RETENTION),
          orDefault(failedRetention, JobPruner.Config.DEFAULT_FAILED_RETENTION),
          orDefault(batchSize, JobPruner.Config.DEFAULT_BATCH_SIZE),
          JobPruner.Config.DEFAULT_MAX_BATCHES);
    }
  }

  /**
   * Each worker's check of the queue table's planner statistics ({@code
   * conveyor.queue.statistics.*}): ANALYZE when the table has outgrown them, so that plans made on
   * a nearly empty table do not stay (see {@link PlannerStatistics}). Safe in every worker at once.
   *
   * @param enabled whether this worker checks; default {@code true}
   * @param interval time between checks; default {@link PlannerStatistics#DEFAULT_INTERVAL}
   */
  public record Statistics(@DefaultValue("true") boolean enabled, @Nullable Duration interval) {

    /**
     * The interval between checks, or {@code null} when switched off.
     *
     * @throws IllegalArgumentException if the interval is not positive
     */
    public @Nullable Duration toInterval() {
      if (!enabled) {
        return null;
      }
      Duration every = orDefault(interval, PlannerStatistics.DEFAULT_INTERVAL);
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException(
            "conveyor.queue.statistics.interval must be positive, not " + every);
      }
      return every;
    }
  }

  /**
   * Queue metrics ({@code conveyor.queue.metrics.*}).
   *
   * @param depthInterval how often the {@code conveyor.queue.depth} and {@code
   *     conveyor.queue.oldest.age} gauges are refreshed from the database (one process of the
   *     cluster samples per interval, every process reads the sample); default {@link
   *     QueueDepthSampler#DEFAULT_INTERVAL}
   * @param depthExactLimit jobs per queue the depth sample counts exactly; above it the gauge is
   *     the query planner's estimate, so that a sample costs the same with any backlog; 1 to
   *     {@value QueueDepthSampler.Config#MAX_EXACT_LIMIT}, default {@value
   *     QueueDepthSampler.Config#DEFAULT_EXACT_LIMIT}
   */
  public record Metrics(@Nullable Duration depthInterval, @Nullable Integer depthExactLimit) {

    /** The sampling interval, set or default. */
    public Duration depthIntervalOrDefault() {
      return orDefault(depthInterval, QueueDepthSampler.DEFAULT_INTERVAL);
    }

    /**
     * The sampler's config.
     *
     * @throws IllegalArgumentException if the values are out of range
     */
    public QueueDepthSampler.Config toSamplerConfig() {
      int exactLimit = orDefault(depthExactLimit, QueueDepthSampler.Config.DEFAULT_EXACT_LIMIT);
      if (exactLimit < 1 || exactLimit > QueueDepthSampler.Config.MAX_EXACT_LIMIT) {
        throw new IllegalArgumentException(
            "conveyor.queue.metrics.depth-exact-limit must be between 1 and "
                + QueueDepthSampler.Config.MAX_EXACT_LIMIT
                + ", not "
                + exactLimit);
      }
      return new QueueDepthSampler.Config(depthIntervalOrDefault(), exactLimit);
    }
  }

  static <T> T orDefault(@Nullable T value, T fallback) {
    return value != null ? value : fallback;
  }
}
