package dev.conveyor.queue.autoconfigure;

import static dev.conveyor.queue.autoconfigure.QueueProperties.orDefault;

import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.runtime.WorkerConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of this process's worker, bound from {@code conveyor.worker.*} (kebab-case, e.g. {@code
 * conveyor.worker.queues.reports=4}). The worker runs only in an application that has at least one
 * {@link dev.conveyor.queue.JobHandler} bean.
 *
 * <p>A setting left unset is {@code null} here and takes the default constant of {@link
 * WorkerConfig}; {@link #toWorkerConfig(QueueProperties)} combines these settings with the lease
 * settings of {@link QueueProperties} and leaves validation to {@link WorkerConfig}'s constructor.
 *
 * @param enabled whether a worker runs in this process when job handlers exist; {@code false} keeps
 *     only the enqueue side ({@link dev.conveyor.queue.JobQueue}). Default {@code true}
 * @param id names this worker in {@code lease_owner} and logs, unique per process; default {@link
 *     WorkerConfig#defaultWorkerId()} (host name and pid)
 * @param queues queue name to how many of its jobs run at once, e.g. {@code
 *     conveyor.worker.queues.reports=4}; a name with dots or capitals goes in brackets ({@code
 *     conveyor.worker.queues[eu.reports]=2}). Setting any queue replaces the default of running the
 *     {@code default} queue with {@link WorkerConfig#DEFAULT_CONCURRENCY} at once
 * @param fetch how queues are polled and claimed, see {@link Fetch}
 * @param shutdown how the worker stops, see {@link Shutdown}
 * @param schedules recurring jobs by schedule name, see {@link ScheduleProperties}; every worker
 *     that declares a schedule fires it, and each occurrence is enqueued once
 */
@ConfigurationProperties("conveyor.worker")
public record WorkerProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String id,
    @Nullable Map<String, Integer> queues,
    @DefaultValue Fetch fetch,
    @DefaultValue Shutdown shutdown,
    @Nullable Map<String, ScheduleProperties> schedules) {

  public WorkerProperties {
    Objects.requireNonNull(fetch, "fetch");
    Objects.requireNonNull(shutdown, "shutdown");
  }

  /**
   * Claiming ({@code conveyor.worker.fetch.*}).
   *
   * @param pollInterval how often an idle queue is polled when no notification arrives (jittered
   *     ±10 %); default {@link WorkerConfig#DEFAULT_POLL_INTERVAL}
   * @param cooldown the least time between two claims of one queue; default {@link
   *     WorkerConfig#DEFAULT_FETCH_COOLDOWN} (none: claims are paced by the claim-ahead buffer)
   * @param maxBatch the most jobs one claim takes; default {@link
   *     WorkerConfig#DEFAULT_MAX_CLAIM_BATCH}
   * @param claimAhead the most jobs a queue holds claimed beyond its free slots (a buffer sized by
   *     the queue's recent start rate, up to this; 0 claims only for free slots); default {@link
   *     WorkerConfig#DEFAULT_CLAIM_AHEAD}
   * @param completionBatch the most completions written in one statement; default {@link
   *     WorkerConfig#DEFAULT_MAX_COMPLETION_BATCH}
   */
  public record Fetch(
      @Nullable Duration pollInterval,
      @Nullable Duration cooldown,
      @Nullable Integer maxBatch,
      @Nullable Integer claimAhead,
      @Nullable Integer completionBatch) {}

  /**
   * Stopping ({@code conveyor.worker.shutdown.*}).
   *
   * @param timeout how long a graceful stop waits for running jobs before releasing them to other
   *     workers and interrupting their handlers; default {@link
   *     WorkerConfig#DEFAULT_SHUTDOWN_TIMEOUT}. Give the process's kill grace period (e.g.
   *     Kubernetes' {@code terminationGracePeriodSeconds}) a few seconds more than this
   */
  public record Shutdown(@Nullable Duration timeout) {}

  /**
   * One recurring job ({@code conveyor.worker.schedules.<name>.*}).
   *
   * @param cron five fields (minute first) or six (second first), e.g. {@code 0 0 6 * * MON-FRI}
   * @param zone the time zone the expression is read in; default UTC
   * @param kind the job kind each occurrence enqueues
   * @param payload the job's JSON payload; default {@code {}}
   * @param queue the queue; default {@code default}
   * @param missedPolicy {@code run-once} (default: the latest missed occurrence runs once after
   *     downtime) or {@code skip}
   */
  public record ScheduleProperties(
      String cron,
      @Nullable String zone,
      String kind,
      @Nullable String payload,
      @Nullable String queue,
      Schedule.@Nullable MissedPolicy missedPolicy) {

    Schedule toSchedule(String name) {
      JobRequest job = JobRequest.of(kind, payload != null ? payload : "{}");
      if (queue != null) {
        job = job.withQueue(queue);
      }
      return new Schedule(
          name,
          cron,
          ZoneId.of(zone != null ? zone : "UTC"),
          job,
          missedPolicy != null ? missedPolicy : Schedule.MissedPolicy.RUN_ONCE);
    }
  }

  /** The declared schedules, validated. */
  public List<Schedule> toSchedules() {
    if (schedules == null) {
      return List.of();
    }
    return schedules.entrySet().stream().map(e -> e.getValue().toSchedule(e.getKey())).toList();
  }

  /**
   * The worker config these settings and the queue's lease settings describe; every unset value is
   * {@link WorkerConfig}'s default.
   *
   * @throws IllegalArgumentException if the values are invalid, e.g. a heartbeat longer than a
   *     third of the lease (see {@link WorkerConfig})
   */
  public WorkerConfig toWorkerConfig(QueueProperties queue) {
    WorkerConfig defaults = WorkerConfig.defaults();
    QueueProperties.Lease lease = queue.lease();
    Duration leaseDuration = orDefault(lease.duration(), defaults.leaseDuration());
    Duration heartbeat = lease.heartbeat();
    if (heartbeat == null) {
      // Setting only the lease renews at a third of it, so that it never yields an invalid pair
      // (documented on conveyor.queue.lease.heartbeat).
      heartbeat =
          lease.duration() != null ? leaseDuration.dividedBy(3) : defaults.heartbeatInterval();
    }
    return new WorkerConfig(
        id != null ? id : defaults.workerId(),
        queues != null ? queues : defaults.queues(),
        orDefault(fetch.pollInterval(), defaults.pollInterval()),
        orDefault(fetch.cooldown(), defaults.fetchCooldown()),
        orDefault(fetch.maxBatch(), defaults.maxClaimBatch()),
        leaseDuration,
        heartbeat,
        orDefault(shutdown.timeout(), defaults.shutdownTimeout()),
        orDefault(fetch.completionBatch(), defaults.maxCompletionBatch()),
        orDefault(fetch.claimAhead(), defaults.claimAhead()));
  }
}
