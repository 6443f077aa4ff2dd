package dev.conveyor.api;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobTracing;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.notify.EnqueueNotifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queue-core beans this service uses, built here because queue-core's auto-configuration is not
 * on this branch yet. The API only enqueues and inspects jobs ({@link JobQueue}); it runs no
 * worker. {@code @ConditionalOnMissingBean} lets queue-core's auto-configuration take over
 * unchanged once it is present, after which this class can go.
 */
@Configuration(proxyBeanMethods = false)
class QueueConfiguration {

  @Bean
  @ConditionalOnMissingBean
  QueueMetrics queueMetrics(
      MeterRegistry meterRegistry, ObjectProvider<ObservationRegistry> observations) {
    return new QueueMetrics(
        meterRegistry, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
  }

  /**
   * Wakes the workers after submissions commit, at most once per {@code
   * conveyor.api.reports.wakeup-interval}, instead of one NOTIFY per submission: PostgreSQL
   * serializes the commits of notifying transactions (see {@link EnqueueNotifier}).
   */
  @Bean
  EnqueueNotifier enqueueNotifier(DataSource dataSource, ApiProperties properties) {
    return new EnqueueNotifier(dataSource, properties.reports().wakeupInterval());
  }

  /** Joins the JPA transaction: same DataSource, connection bound by the JpaTransactionManager. */
  @Bean
  @ConditionalOnMissingBean
  JobQueue jobQueue(
      DataSource dataSource,
      QueueMetrics metrics,
      EnqueueNotifier notifier,
      ObjectProvider<JobTracing> tracing) {
    // With tracing on (the starter's MicrometerJobTracing), each job stores the current trace.
    return new JobQueue(dataSource, metrics, null, notifier, tracing.getIfAvailable());
  }

  /** For the health check of the queue schema version only. */
  @Bean
  @ConditionalOnMissingBean
  JobRepository jobRepository(DataSource dataSource) {
    return new JobRepository(dataSource, null);
  }
}
