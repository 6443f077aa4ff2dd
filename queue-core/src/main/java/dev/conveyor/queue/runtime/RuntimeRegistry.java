package dev.conveyor.queue.runtime;

import dev.conveyor.queue.jdbc.OperationsRepository;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a runtime's row in {@code conveyor.worker_runtime} for operators: inserted at start,
 * refreshed (heartbeat time, slots in use) every {@link #DEFAULT_HEARTBEAT}, deleted on a clean
 * stop. After each heartbeat it deletes the rows of runtimes that missed ten of theirs, so a killed
 * worker's row disappears without a sweeper. Best effort: a failed write is logged and tried again
 * at the next heartbeat, and never affects claiming or running jobs. Thread-safe.
 */
public final class RuntimeRegistry {

  /** Time between heartbeats of the registry row (not of job leases). */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(RuntimeRegistry.class);

  private final OperationsRepository repository;
  private final String id;
  private final String host;
  private final Map<String, Integer> queues;
  private final IntSupplier slotsInUse;
  private final Duration heartbeat;
  private @Nullable ScheduledExecutorService timer;

  /**
   * @param id the runtime's worker id
   * @param queues its queues and their slots
   * @param slotsInUse handlers running now, read at each heartbeat
   * @param heartbeat time between heartbeats; positive
   */
  public RuntimeRegistry(
      OperationsRepository repository,
      String id,
      Map<String, Integer> queues,
      IntSupplier slotsInUse,
      Duration heartbeat) {
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("registry heartbeat must be positive");
    }
    this.repository = repository;
    this.id = id.length() > 256 ? id.substring(0, 256) : id;
    this.host = hostName();
    this.queues = Map.copyOf(queues);
    this.slotsInUse = slotsInUse;
    this.heartbeat = heartbeat;
  }

  /** Registers the runtime and starts heartbeating. */
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    beatQuietly();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "conveyor-registry");
              t.setDaemon(true);
              return t;
            });
    long millis = heartbeat.toMillis();
    timer.scheduleWithFixedDelay(this::beatQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Stops heartbeating and deletes the runtime's row. */
  public synchronized void stop() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    timer = null;
    try {
      repository.removeRuntime(id);
    } catch (RuntimeException e) {
      log.warn("could not remove worker {} from the runtime registry; it is pruned later", id, e);
    }
  }

  /** One heartbeat: refreshes this runtime's row, then prunes stale rows of others. */
  public void beat() {
    int slots = queues.values().stream().mapToInt(Integer::intValue).sum();
    repository.registerRuntime(
        id, host, queues.keySet(), slots, Math.max(0, slotsInUse.getAsInt()), heartbeat);
    repository.pruneRuntimes();
  }

  private void beatQuietly() {
    try {
      beat();
    } catch (RuntimeException e) {
      log.warn("runtime registry heartbeat failed; trying again in {}", heartbeat, e);
    }
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.length() > 256 ? env.substring(0, 256) : env;
    }
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.length() > 256 ? name.substring(0, 256) : name;
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
