package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.worker.DeliveryRetryProperties;
import dev.conveyor.worker.WebhookProperties;
import dev.conveyor.worker.WorkerServiceProperties;
import java.time.InstantSource;
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

  @Bean
  DeliveryRules deliveryRules() {
    return new DeliveryRules(InstantSource.system());
  }

  @Bean
  CallbackSender callbackSender(WorkerServiceProperties properties, DeliveryRules rules) {
    return new CallbackSender(properties, rules);
  }

  @Bean
  WebhookSender webhookSender(
      WorkerServiceProperties properties, WebhookProperties webhooks, DeliveryRules rules) {
    return new WebhookSender(
        properties, new AddressPolicy(webhooks.allowPrivateAddresses()), rules);
  }

  @Bean
  ReportEvents reportEvents(
      CallbackSender sender, JobQueue queue, JsonMapper json, WorkerServiceProperties properties) {
    return new ReportEvents(sender, queue, json, properties);
  }

  @Bean
  DeliverCallbackHandler deliverCallbackHandler(
      CallbackSender sender, JsonMapper json, DeliveryRetryProperties retry) {
    return new DeliverCallbackHandler(sender, json, retry.policy());
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
