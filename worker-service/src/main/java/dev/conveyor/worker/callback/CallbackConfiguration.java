package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.worker.WorkerServiceProperties;
import java.time.InstantSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** One HTTP client for every callback (best-effort or durable) and client webhook. */
@Configuration(proxyBeanMethods = false)
class CallbackConfiguration {

  @Bean
  CallbackSender callbackSender(WorkerServiceProperties properties) {
    return new CallbackSender(properties, InstantSource.system());
  }

  @Bean
  ReportEvents reportEvents(
      CallbackSender sender, JobQueue queue, JsonMapper json, WorkerServiceProperties properties) {
    return new ReportEvents(sender, queue, json, properties);
  }

  @Bean
  DeliverCallbackHandler deliverCallbackHandler(CallbackSender sender, JsonMapper json) {
    return new DeliverCallbackHandler(sender, json);
  }

  @Bean
  DeliverWebhookHandler deliverWebhookHandler(
      CallbackSender sender, JdbcClient jdbc, JsonMapper json) {
    return new DeliverWebhookHandler(sender, jdbc, json);
  }
}
