package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.queue.autoconfigure.QueueProperties;
import dev.conveyor.worker.DeliveryRetryProperties;
import dev.conveyor.worker.WebhookProperties;
import dev.conveyor.worker.WorkerServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.InstantSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * One HTTP client for the callbacks to the API (best-effort or durable), another for client
 * webhooks, which go through the address policy.
 */
@Configuration(proxyBeanMethods = false)
class CallbackConfiguration {

  /**
   * The clock callbacks are signed with (their {@code webhook-timestamp}): the system's, unless the
   * application defines an {@link InstantSource} bean (tests set a worker's clock off with one).
   */
  @Bean
  DeliveryRules deliveryRules(ObjectProvider<InstantSource> clock) {
    return new DeliveryRules(clock.getIfAvailable(InstantSource::system));
  }

  @Bean
  ApiCallbackHealth apiCallbacksHealthIndicator(MeterRegistry registry) {
    return new ApiCallbackHealth(registry, InstantSource.system());
  }

  /**
   * The trace headers both senders add: the application's tracer and propagator (no-ops while
   * {@code management.tracing.export.enabled} is false, the default).
   */
  @Bean
  TraceHeaders traceHeaders(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
    return new TraceHeaders(
        tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
  }

  @Bean
  CallbackSender callbackSender(
      WorkerServiceProperties properties, DeliveryRules rules, TraceHeaders traces) {
    return new CallbackSender(properties, rules, traces);
  }

  @Bean
  WebhookSender webhookSender(
      WorkerServiceProperties properties,
      WebhookProperties webhooks,
      DeliveryRules rules,
      TraceHeaders traces) {
    return new WebhookSender(
        properties, new AddressPolicy(webhooks.allowPrivateAddresses()), rules, traces);
  }

  @Bean
  ReportEvents reportEvents(
      CallbackSender sender, JobQueue queue, JsonMapper json, WorkerServiceProperties properties) {
    return new ReportEvents(sender, queue, json, properties);
  }

  /**
   * The deliveries' own backoff if set, else the runtime's ({@code conveyor.queue.retry.*}), given
   * explicitly because the handler also snoozes by it after its last attempt.
   */
  @Bean
  DeliverCallbackHandler deliverCallbackHandler(
      CallbackSender sender,
      JsonMapper json,
      JdbcClient jdbc,
      DeliveryRetryProperties retry,
      QueueProperties queue,
      ApiCallbackHealth health) {
    RetryPolicy policy = retry.policy();
    return new DeliverCallbackHandler(
        sender, json, jdbc, policy != null ? policy : queue.retry().toBackoff(), health);
  }

  @Bean
  DeliverWebhookHandler deliverWebhookHandler(
      WebhookSender sender,
      JdbcClient jdbc,
      JsonMapper json,
      DeliveryRetryProperties retry,
      WebhookProperties webhooks) {
    return new DeliverWebhookHandler(
        sender, jdbc, json, retry.policy(), webhooks.giveUpAfter(), InstantSource.system());
  }
}
