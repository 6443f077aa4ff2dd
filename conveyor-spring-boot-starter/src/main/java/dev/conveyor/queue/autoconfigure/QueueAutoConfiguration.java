package dev.conveyor.queue.autoconfigure;

import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobTracing;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.OperationsRepository;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Duration;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Sets up the queue in a Spring Boot application that has one (or a primary) {@link DataSource}
 * holding the migrated {@code conveyor} schema. Every bean backs off when the application defines
 * its own.
 *
 * <ul>
 *   <li>always: {@link QueueMetrics} (on the application's {@link MeterRegistry} and {@link
 *       ObservationRegistry} when there are any, else {@link QueueMetrics#simple()}) and {@link
 *       JobQueue}, the enqueue side, which is all an API service needs;
 *   <li>with a {@link MeterRegistry}: a {@link QueueDepthSampler} keeping the queue depth gauges
 *       (one sampling process per cluster, every process exporting the sample), started and stopped
 *       with the context;
 *   <li>with at least one {@link JobHandler} bean, unless {@code conveyor.worker.enabled=false}: a
 *       {@link WorkerRuntime} running every handler bean, built from {@link WorkerProperties} and
 *       {@link QueueProperties}, in the application's {@link PlatformTransactionManager} when there
 *       is exactly one (or a primary one), started when the context has refreshed and stopped
 *       gracefully when it closes; plus, with spring-boot-health, a {@link WorkerHealthIndicator}
 *       named {@code conveyor} ({@code management.health.conveyor.enabled});
 *   <li>with Micrometer Tracing exporting ({@code management.tracing.export.enabled}, true unless
 *       set) and a {@link Tracer} and {@link Propagator}: a {@link MicrometerJobTracing} given to
 *       the {@link JobQueue} and the {@link WorkerRuntime}, so each job continues the trace that
 *       enqueued it. Without it the queue traces nothing and spends nothing per job on tracing.
 * </ul>
 *
 * <p>Invalid settings fail the application's startup, with the message of the core record that
 * refused them.
 *
 * <p><b>Lifecycle phase.</b> The worker and the depth sampler start and stop in {@link
 * #LIFECYCLE_PHASE}, {@code SmartLifecycle.DEFAULT_PHASE - 512}. Stopping runs from the highest
 * phase down, so the worker stops (waiting up to {@code conveyor.worker.shutdown.timeout} for
 * running jobs) before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and the
 * web server's stop, which comes after it: the health endpoint still answers while jobs drain. The
 * {@link DataSource} is closed only when beans are destroyed, after every phase has stopped, so
 * running jobs and the final completions always have their database. Starting runs the other way:
 * jobs are claimed only once the web server and everything in lower phases is up.
 */
@AutoConfiguration(
    after = DataSourceAutoConfiguration.class,
    // So that @ConditionalOnBean sees Boot's meter registry, tracer and propagator.
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration",
      "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration"
    })
@ConditionalOnClass({JdbcClient.class, DataSourceProperties.class})
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties({
  QueueProperties.class,
  WorkerProperties.class,
  DatabaseProperties.class
})
public final class QueueAutoConfiguration {

  /**
   * The {@link SmartLifecycle} phase of the worker and the depth sampler: above the web server's
   * graceful shutdown ({@code DEFAULT_PHASE - 1024}), so they stop before it.
   */
  public static final int LIFECYCLE_PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  @Bean
  @ConditionalOnMissingBean
  QueueMetrics conveyorQueueMetrics(
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObservationRegistry> observationRegistry) {
    MeterRegistry registry = meterRegistry.getIfAvailable();
    if (registry == null) {
      return QueueMetrics.simple();
    }
    return new QueueMetrics(
        registry, observationRegistry.getIfAvailable(() -> ObservationRegistry.NOOP));
  }

  @Bean
  @ConditionalOnMissingBean
  JobQueue conveyorJobQueue(
      DataSource dataSource, QueueMetrics metrics, ObjectProvider<JobTracing> tracing) {
    return new JobQueue(dataSource, metrics, null, null, tracing.getIfAvailable());
  }

  /**
   * Micrometer Tracing adapted to the queue's hook. Off with {@code
   * management.tracing.export.enabled=false} (Spring Boot's own switch, which also leaves the
   * application with a no-op tracer), so that a disabled tracer costs the queue nothing per job.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.tracing.Tracer")
  @ConditionalOnBooleanProperty(name = "management.tracing.export.enabled", matchIfMissing = true)
  static final class TracingConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({Tracer.class, Propagator.class})
    JobTracing conveyorJobTracing(Tracer tracer, Propagator propagator) {
      return new MicrometerJobTracing(tracer, propagator);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(MeterRegistry.class)
  static final class DepthSamplerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    QueueDepthSampler conveyorQueueDepthSampler(
        DataSource dataSource, QueueMetrics metrics, QueueProperties queue) {
      return validated(
          () ->
              new QueueDepthSampler(
                  new JobRepository(dataSource, null),
                  metrics,
                  queue.metrics().toSamplerConfig(),
                  WorkerConfig.defaultWorkerId(),
                  new OperationsRepository(dataSource, null)));
    }

    @Bean
    SmartLifecycle conveyorQueueDepthSamplerLifecycle(QueueDepthSampler sampler) {
      return new ServiceLifecycle(sampler::start, sampler::stop);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(JobHandler.class)
  @ConditionalOnBooleanProperty(name = "conveyor.worker.enabled", matchIfMissing = true)
  static final class WorkerRuntimeConfiguration {

    /**
     * The runtime, built but not started: {@link #conveyorWorkerLifecycle} starts it once the
     * context has refreshed (so a failing start, such as a missing schema, fails the startup after
     * every bean exists) and stops it gracefully when the context closes. A runtime bean of the
     * application's own is started and stopped the same way.
     */
    @Bean
    @ConditionalOnMissingBean
    WorkerRuntime conveyorWorkerRuntime(
        DataSource dataSource,
        ObjectProvider<JobHandler> handlers,
        ObjectProvider<Schedule> scheduleBeans,
        ObjectProvider<PlatformTransactionManager> transactionManager,
        ObjectProvider<DataSourceProperties> dataSourceProperties,
        QueueMetrics metrics,
        ObjectProvider<JobTracing> tracing,
        QueueProperties queue,
        WorkerProperties worker,
        DatabaseProperties database) {
      WorkerConfig config = validated(() -> worker.toWorkerConfig(queue));
      RetryPolicy retryPolicy = validated(() -> queue.retry().toBackoff());
      LeaseRescuer.@Nullable Config rescuer = validated(() -> queue.rescuer().toConfig());
      JobPruner.@Nullable Config pruner = validated(() -> queue.pruner().toConfig());
      @Nullable Duration statistics = validated(() -> queue.statistics().toInterval());
      WorkerRuntime.Builder builder =
          WorkerRuntime.builder(dataSource)
              .config(config)
              .handlers(handlers.orderedStream().toList())
              .retryPolicy(retryPolicy)
              .metrics(metrics)
              .tracing(tracing.getIfAvailable())
              .rescuer(rescuer)
              .pruner(pruner)
              .plannerStatistics(statistics)
              .listenConnections(
                  ListenConnections.resolve(
                      queue, database, dataSource, dataSourceProperties.getIfAvailable()));
      transactionManager.ifUnique(builder::transactionManager);
      validated(worker::toSchedules).forEach(builder::schedule);
      scheduleBeans.orderedStream().forEach(builder::schedule);
      return builder.build();
    }

    @Bean
    SmartLifecycle conveyorWorkerLifecycle(WorkerRuntime runtime) {
      return new ServiceLifecycle(runtime::start, runtime::stop);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("conveyor")
    static final class WorkerHealthConfiguration {

      @Bean
      @ConditionalOnMissingBean(name = "conveyorHealthIndicator")
      WorkerHealthIndicator conveyorHealthIndicator(WorkerRuntime runtime) {
        return new WorkerHealthIndicator(runtime);
      }
    }
  }

  /** Builds a core config, naming the properties when its constructor refuses the values. */
  private static <T extends @Nullable Object> T validated(Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Invalid Conveyor settings (conveyor.queue.*, conveyor.worker.*): " + e.getMessage(), e);
    }
  }
}
