package dev.conveyor.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The queue's Micrometer meters, in one place so their names and tags stay consistent. Tags are
 * only queue, kind and outcome: never ids or error text. Thread-safe; meters are cached, so
 * recording on the hot path does not look them up again.
 *
 * <ul>
 *   <li>{@code conveyor.jobs.enqueued} (queue): counted after the enqueue commits
 *   <li>{@code conveyor.jobs.completed|retried|discarded|cancelled|snoozed} (queue, kind)
 *   <li>{@code conveyor.jobs.rescued} (queue, kind): taken back from an expired lease
 *   <li>{@code conveyor.jobs.unrecorded} (queue, kind): outcomes the database refused to record for
 *       a reason retrying would not change (a constraint or data error); such a job is rescued once
 *       its lease expires
 *   <li>{@code conveyor.job.execute} (queue, kind, outcome): the handler's run, as an {@code
 *       Observation} when an {@code ObservationRegistry} is given, else a timer
 *   <li>{@code conveyor.job.wait} (queue): enqueue (or run-at) to start, a histogram
 *   <li>{@code conveyor.listener.reconnects}: LISTEN connections re-established
 *   <li>{@code conveyor.queue.depth}, {@code conveyor.queue.oldest.age} (queue): gauges set by
 *       {@link dev.conveyor.queue.maintenance.QueueDepthSampler} from the cluster's last sample
 *       (the depth is exact up to the sampler's limit, the planner's estimate above it); registered
 *       at zero for each queue of a worker when it starts ({@link #registerQueue}), so an idle
 *       worker exports them too
 *   <li>{@code conveyor.worker.slots} (queue): jobs of the queue this process runs at once (its
 *       configured concurrency), and {@code conveyor.worker.slots.busy} (queue): handlers running
 *       now; both registered when a worker starts ({@link #registerWorker}), so their presence says
 *       a worker is up
 * </ul>
 *
 * <p>{@link #registerWorker} also registers the {@code completed}, {@code retried}, {@code
 * discarded}, {@code rescued} and {@code unrecorded} counters at zero for each of the worker's
 * queues and each kind it has a handler for (not knowing which kinds go to which queue, every
 * pair): a counter that first appears at one loses that first increment to {@code rate()} and
 * {@code increase()}.
 */
public final class QueueMetrics {

  private final MeterRegistry registry;
  private final ObservationRegistry observations;
  private final Map<MeterKey, Counter> counters = new ConcurrentHashMap<>();
  private final Map<MeterKey, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Depth> depths = new ConcurrentHashMap<>();
  private final Map<String, Slots> slots = new ConcurrentHashMap<>();

  /** Outcome counters a worker registers at zero when it starts. */
  private static final List<String> ZERO_OUTCOMES =
      List.of("completed", "retried", "discarded", "rescued", "unrecorded");

  /**
   * A meter's cache key. Looked up for every job (its wait, run time and outcome): a record of the
   * strings the job already has, not a string built for each look-up.
   */
  private record MeterKey(
      String name, String queue, @Nullable String kind, @Nullable String outcome) {}

  /** The values behind one queue's depth gauges. */
  private static final class Depth {
    volatile double jobs;
    volatile double oldestSeconds;
  }

  /** The values behind one queue's slot gauges. */
  private static final class Slots {
    final AtomicInteger capacity = new AtomicInteger();
    final AtomicInteger busy = new AtomicInteger();
  }

  public QueueMetrics(MeterRegistry registry, ObservationRegistry observations) {
    this.registry = registry;
    this.observations = observations;
  }

  /** Meters that go nowhere but still count (handy in tests and plain-Java use). */
  public static QueueMetrics simple() {
    return new QueueMetrics(new SimpleMeterRegistry(), ObservationRegistry.NOOP);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void enqueued(String queue, int count) {
    counter("enqueued", queue, null).increment(count);
  }

  /** Counts one recorded outcome: completed, retried, discarded, cancelled or snoozed. */
  public void outcome(String outcome, String queue, String kind) {
    counter(outcome, queue, kind).increment();
  }

  public void rescued(String queue, String kind) {
    counter("rescued", queue, kind).increment();
  }

  /** Counts one outcome the database refused for good (not an outage); see the class comment. */
  public void unrecorded(String queue, String kind) {
    counter("unrecorded", queue, kind).increment();
  }

  /**
   * Registers the queue's {@code conveyor.queue.depth} and {@code conveyor.queue.oldest.age}
   * gauges, at zero until a sample says otherwise; does nothing if they exist.
   */
  public void registerQueue(String queue) {
    depth(queue);
  }

  /**
   * Registers a starting worker's meters: for each of its {@code queues} (queue name to
   * concurrency) the depth gauges ({@link #registerQueue}), the slot gauges (adding the concurrency
   * to {@code conveyor.worker.slots}, so two runtimes in one process add up) and, for each of the
   * handlers' {@code kinds}, the outcome counters at zero.
   */
  public void registerWorker(Map<String, Integer> queues, Collection<String> kinds) {
    queues.forEach(
        (queue, concurrency) -> {
          registerQueue(queue);
          slots(queue).capacity.addAndGet(concurrency);
          for (String kind : kinds) {
            for (String outcome : ZERO_OUTCOMES) {
              counter(outcome, queue, kind);
            }
          }
        });
  }

  private Slots slots(String queue) {
    return slots.computeIfAbsent(
        queue,
        q -> {
          Slots s = new Slots();
          Gauge.builder("conveyor.worker.slots", s.capacity, AtomicInteger::get)
              .description("Jobs of the queue this process's worker runs at once (its concurrency)")
              .tag("queue", q)
              .register(registry);
          Gauge.builder("conveyor.worker.slots.busy", s.busy, AtomicInteger::get)
              .description("Handlers of the queue running now in this process")
              .tag("queue", q)
              .register(registry);
          return s;
        });
  }

  /** Sets the queue's depth gauges (registering them if needed). */
  public void queueDepth(String queue, double jobs, double oldestSeconds) {
    Depth depth = depth(queue);
    depth.jobs = jobs;
    depth.oldestSeconds = oldestSeconds;
  }

  /** The queues that have depth gauges. */
  public Set<String> depthQueues() {
    return Set.copyOf(depths.keySet());
  }

  private Depth depth(String queue) {
    return depths.computeIfAbsent(
        queue,
        q -> {
          Depth depth = new Depth();
          Gauge.builder("conveyor.queue.depth", depth, d -> d.jobs)
              .description(
                  "Jobs runnable now, from the cluster's last sample: exact up to"
                      + " conveyor.queue.metrics.depth-exact-limit, the query planner's estimate"
                      + " above it")
              .tag("queue", q)
              .strongReference(true)
              .register(registry);
          Gauge.builder("conveyor.queue.oldest.age", depth, d -> d.oldestSeconds)
              .description("Seconds the oldest runnable job has waited, from the last sample")
              .baseUnit("seconds")
              .tag("queue", q)
              .strongReference(true)
              .register(registry);
          return depth;
        });
  }

  public void listenerReconnected() {
    registry.counter("conveyor.listener.reconnects").increment();
  }

  public void waited(String queue, Duration wait) {
    timers
        .computeIfAbsent(
            new MeterKey("conveyor.job.wait", queue, null, null),
            k ->
                Timer.builder("conveyor.job.wait")
                    .description("Time from a job becoming runnable to its start")
                    .tag("queue", queue)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(wait.isNegative() ? Duration.ZERO : wait);
  }

  /**
   * Starts timing one execution, counted in {@code conveyor.worker.slots.busy} until it stops;
   * finish it with {@link Execution#stop(String)} exactly once.
   */
  public Execution startExecution(String queue, String kind) {
    AtomicInteger busy = slots(queue).busy;
    busy.incrementAndGet();
    if (observations.isNoop()) {
      long start = System.nanoTime();
      return outcome -> {
        busy.decrementAndGet();
        executionTimer(queue, kind, outcome).record(Duration.ofNanos(System.nanoTime() - start));
      };
    }
    Observation observation =
        Observation.createNotStarted("conveyor.job.execute", observations)
            .lowCardinalityKeyValue("queue", queue)
            .lowCardinalityKeyValue("kind", kind)
            .start();
    return outcome -> {
      busy.decrementAndGet();
      observation.lowCardinalityKeyValue("outcome", outcome).stop();
    };
  }

  /** A running execution measurement. */
  @FunctionalInterface
  public interface Execution {
    void stop(String outcome);
  }

  private Timer executionTimer(String queue, String kind, String outcome) {
    return timers.computeIfAbsent(
        new MeterKey("conveyor.job.execute", queue, kind, outcome),
        k ->
            Timer.builder("conveyor.job.execute")
                .tag("queue", queue)
                .tag("kind", kind)
                .tag("outcome", outcome)
                .register(registry));
  }

  /**
   * The counter {@code conveyor.jobs.<what>} of a queue (and kind). Its name is built only when it
   * is registered: the look-up, once per job, keys on the strings the caller already has.
   */
  private Counter counter(String what, String queue, @Nullable String kind) {
    return counters.computeIfAbsent(
        new MeterKey("conveyor.jobs", queue, kind, what),
        k -> {
          Counter.Builder builder = Counter.builder("conveyor.jobs." + what).tag("queue", queue);
          if (kind != null) {
            builder.tag("kind", kind);
          }
          return builder.register(registry);
        });
  }
}
