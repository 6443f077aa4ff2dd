package dev.conveyor.queue.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link WorkerRuntime} runs. Validated on construction; every default is a constant here.
 *
 * @param workerId names this worker in {@code lease_owner} and logs; unique per process (default:
 *     host name and pid)
 * @param queues queue name to the number of jobs of that queue run at once (virtual threads); at
 *     least one queue
 * @param pollInterval how often an idle queue is polled when no notification arrives (jittered ±10
 *     %); default {@link #DEFAULT_POLL_INTERVAL}
 * @param fetchCooldown the least time between two claims of one queue; default {@link
 *     #DEFAULT_FETCH_COOLDOWN} (none: claims are paced by the claim-ahead buffer instead, see
 *     {@code claimAhead})
 * @param maxClaimBatch the most jobs one claim takes; default {@value #DEFAULT_MAX_CLAIM_BATCH}
 * @param leaseDuration how long a claim or heartbeat holds a job; a job whose worker stops renewing
 *     it is rescued after this; default {@link #DEFAULT_LEASE}
 * @param heartbeatInterval how often leases are renewed; at most a third of the lease; default
 *     {@link #DEFAULT_HEARTBEAT}
 * @param shutdownTimeout how long a graceful stop waits for running jobs before releasing them;
 *     default {@link #DEFAULT_SHUTDOWN_TIMEOUT}
 * @param maxCompletionBatch the most completions written in one statement; default {@value
 *     #DEFAULT_MAX_COMPLETION_BATCH}
 * @param claimAhead the most jobs a queue holds claimed beyond its free slots (its local buffer,
 *     leases held and renewed like those of running jobs); the buffer actually kept follows how
 *     fast the queue's jobs start (about {@value #CLAIM_AHEAD_HORIZON_MILLIS} ms worth, so slow
 *     jobs are not hoarded), up to this; 0 claims only for free slots; default {@value
 *     #DEFAULT_CLAIM_AHEAD}. Queues with limits never claim ahead.
 */
public record WorkerConfig(
    String workerId,
    Map<String, Integer> queues,
    Duration pollInterval,
    Duration fetchCooldown,
    int maxClaimBatch,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration shutdownTimeout,
    int maxCompletionBatch,
    int claimAhead) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_FETCH_COOLDOWN = Duration.ZERO;
  public static final int DEFAULT_MAX_CLAIM_BATCH = 1000;
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_COMPLETION_BATCH = 2000;
  public static final int DEFAULT_CONCURRENCY = 10;
  public static final int DEFAULT_CLAIM_AHEAD = 1000;

  /** How many milliseconds of a queue's recent start rate its claim-ahead buffer holds. */
  public static final int CLAIM_AHEAD_HORIZON_MILLIS = 25;

  public WorkerConfig {
    Objects.requireNonNull(workerId, "workerId");
    if (workerId.isBlank()) {
      throw new IllegalArgumentException("workerId must not be blank");
    }
    queues = Map.copyOf(queues);
    if (queues.isEmpty()) {
      throw new IllegalArgumentException("at least one queue is needed");
    }
    queues.forEach(
        (name, concurrency) -> {
          if (name.isBlank() || name.length() > 128) {
            throw new IllegalArgumentException("queue names are 1 to 128 characters");
          }
          if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency of queue " + name + " must be >= 1");
          }
        });
    requirePositive("pollInterval", pollInterval);
    if (fetchCooldown.isNegative()) {
      throw new IllegalArgumentException("fetchCooldown must not be negative");
    }
    if (maxClaimBatch < 1) {
      throw new IllegalArgumentException("maxClaimBatch must be at least 1");
    }
    if (maxCompletionBatch < 1) {
      throw new IllegalArgumentException("maxCompletionBatch must be at least 1");
    }
    if (claimAhead < 0) {
      throw new IllegalArgumentException("claimAhead must not be negative");
    }
    requirePositive("leaseDuration", leaseDuration);
    requirePositive("heartbeatInterval", heartbeatInterval);
    if (heartbeatInterval.multipliedBy(3).compareTo(leaseDuration) > 0) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be at most a third of leaseDuration (here "
              + heartbeatInterval
              + " and "
              + leaseDuration
              + "), so that two missed heartbeats do not lose the lease");
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must not be negative");
    }
  }

  /** Defaults, running the {@code default} queue with {@value #DEFAULT_CONCURRENCY} at once. */
  public static WorkerConfig defaults() {
    return new WorkerConfig(
        defaultWorkerId(),
        Map.of("default", DEFAULT_CONCURRENCY),
        DEFAULT_POLL_INTERVAL,
        DEFAULT_FETCH_COOLDOWN,
        DEFAULT_MAX_CLAIM_BATCH,
        DEFAULT_LEASE,
        DEFAULT_HEARTBEAT,
        DEFAULT_SHUTDOWN_TIMEOUT,
        DEFAULT_MAX_COMPLETION_BATCH,
        DEFAULT_CLAIM_AHEAD);
  }

  /** Host name and pid, e.g. {@code worker-7f9c:4242}. */
  public static String defaultWorkerId() {
    String host = System.getenv().getOrDefault("HOSTNAME", "");
    if (host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "worker";
      }
    }
    return host + ":" + ProcessHandle.current().pid();
  }

  public WorkerConfig withWorkerId(String workerId) {
    return with(c -> c.workerId = workerId);
  }

  public WorkerConfig withQueues(Map<String, Integer> queues) {
    return with(c -> c.queues = queues);
  }

  public WorkerConfig withPollInterval(Duration pollInterval) {
    return with(c -> c.pollInterval = pollInterval);
  }

  public WorkerConfig withFetchCooldown(Duration fetchCooldown) {
    return with(c -> c.fetchCooldown = fetchCooldown);
  }

  public WorkerConfig withMaxClaimBatch(int maxClaimBatch) {
    return with(c -> c.maxClaimBatch = maxClaimBatch);
  }

  /**
   * Sets the lease only; the heartbeat stays as it is and must be at most a third of it (else
   * {@link IllegalArgumentException}): shortening the lease below three heartbeats needs {@link
   * #withLease(Duration, Duration)} or {@link #withHeartbeat} first.
   */
  public WorkerConfig withLease(Duration leaseDuration) {
    return with(c -> c.leaseDuration = leaseDuration);
  }

  /** Sets the heartbeat only; at most a third of the lease. */
  public WorkerConfig withHeartbeat(Duration heartbeatInterval) {
    return with(c -> c.heartbeatInterval = heartbeatInterval);
  }

  /** Sets the lease and the heartbeat together (heartbeat at most a third of the lease). */
  public WorkerConfig withLease(Duration leaseDuration, Duration heartbeatInterval) {
    return with(
        c -> {
          c.leaseDuration = leaseDuration;
          c.heartbeatInterval = heartbeatInterval;
        });
  }

  public WorkerConfig withMaxCompletionBatch(int maxCompletionBatch) {
    return with(c -> c.maxCompletionBatch = maxCompletionBatch);
  }

  public WorkerConfig withClaimAhead(int claimAhead) {
    return with(c -> c.claimAhead = claimAhead);
  }

  public WorkerConfig withShutdownTimeout(Duration shutdownTimeout) {
    return with(c -> c.shutdownTimeout = shutdownTimeout);
  }

  /** A copy with some components changed; validated like any other instance. */
  private WorkerConfig with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return new WorkerConfig(
        copy.workerId,
        copy.queues,
        copy.pollInterval,
        copy.fetchCooldown,
        copy.maxClaimBatch,
        copy.leaseDuration,
        copy.heartbeatInterval,
        copy.shutdownTimeout,
        copy.maxCompletionBatch,
        copy.claimAhead);
  }

  /** The mutable components of a copy in the making. */
  private static final class Copy {
    String workerId;
    Map<String, Integer> queues;
    Duration pollInterval;
    Duration fetchCooldown;
    int maxClaimBatch;
    Duration leaseDuration;
    Duration heartbeatInterval;
    Duration shutdownTimeout;
    int maxCompletionBatch;
    int claimAhead;

    Copy(WorkerConfig c) {
      workerId = c.workerId;
      queues = c.queues;
      pollInterval = c.pollInterval;
      fetchCooldown = c.fetchCooldown;
      maxClaimBatch = c.maxClaimBatch;
      leaseDuration = c.leaseDuration;
      heartbeatInterval = c.heartbeatInterval;
      shutdownTimeout = c.shutdownTimeout;
      maxCompletionBatch = c.maxCompletionBatch;
      claimAhead = c.claimAhead;
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
