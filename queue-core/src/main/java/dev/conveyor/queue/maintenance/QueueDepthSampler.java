package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.JobRepository.QueueDepth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Keeps the {@code conveyor.queue.depth} (jobs runnable now) and {@code conveyor.queue.oldest.age}
 * (seconds the oldest of them has waited) gauges, per queue, from one cheap query on an interval; a
 * scrape never touches the database.
 */
public final class QueueDepthSampler {

  /** Default time between samples. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private record Sample(double jobs, double oldestSeconds) {}

  private final JobRepository repository;
  private final MeterRegistry registry;
  private final Map<String, Sample> samples = new ConcurrentHashMap<>();
  private final PeriodicTask task;

  /**
   * @param interval time between samples; positive
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  public QueueDepthSampler(JobRepository repository, MeterRegistry registry, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      // Caught here: the scheduler would only refuse it when the sampler starts.
      throw new IllegalArgumentException("depth sampling interval must be positive");
    }
    this.repository = repository;
    this.registry = registry;
    this.task = new PeriodicTask("conveyor-depth-sampler", interval, this::sampleNow);
  }

  public void start() {
    sampleQuietly();
    task.start();
  }

  public void stop() {
    task.stop();
  }

  public void sampleNow() {
    Map<String, QueueDepth> depths =
        repository.countAvailable().stream().collect(Collectors.toMap(QueueDepth::queue, d -> d));
    Set<String> known = Set.copyOf(samples.keySet());
    for (String queue : known) {
      if (!depths.containsKey(queue)) {
        samples.put(queue, new Sample(0, 0));
      }
    }
    depths.forEach(
        (queue, depth) -> {
          if (samples.put(queue, new Sample(depth.jobs(), depth.oldestSeconds())) == null) {
            register(queue);
          }
        });
  }

  private void sampleQuietly() {
    try {
      sampleNow();
    } catch (RuntimeException e) {
      // The periodic task logs failures; the first sample is best effort.
    }
  }

  private void register(String queue) {
    Gauge.builder(
            "conveyor.queue.depth", samples, s -> s.getOrDefault(queue, new Sample(0, 0)).jobs())
        .description("Jobs runnable now")
        .tag("queue", queue)
        .register(registry);
    Gauge.builder(
            "conveyor.queue.oldest.age",
            samples,
            s -> s.getOrDefault(queue, new Sample(0, 0)).oldestSeconds())
        .description("Seconds the oldest runnable job has waited")
        .baseUnit("seconds")
        .tag("queue", queue)
        .register(registry);
  }
}
