package dev.conveyor.api.report;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enqueues the webhook to a report's {@code callbackUrl} when it reaches a final status, in the
 * caller's transaction (the one that sets the status), so the webhook exists exactly when the
 * status does. The worker delivers it ({@code webhook.deliver} on the webhooks queue), signing the
 * {@code body} with the client's {@code api_clients.webhook_secret} and sending {@code webhookId}
 * as {@code webhook-id} on every attempt, so the client can drop duplicates.
 */
@Component
class ClientWebhooks {

  static final String JOB_KIND = "webhook.deliver";

  private final JobQueue queue;
  private final Reports views;
  private final JsonMapper json;
  private final ApiProperties.Webhooks config;

  ClientWebhooks(JobQueue queue, Reports views, JsonMapper json, ApiProperties properties) {
    this.queue = queue;
    this.views = views;
    this.json = json;
    this.config = properties.webhooks();
  }

  void finished(Report report) {
    String url = report.callbackUrl();
    if (url == null || !report.status().isTerminal()) {
      return;
    }
    ReportView view = views.view(report);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "report." + report.status().name().toLowerCase(java.util.Locale.ROOT));
    body.put("reportId", report.id());
    body.put("status", report.status());
    body.put("completedAt", report.completedAt());
    body.put("error", view.error());
    body.put("artifact", view.artifact());
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("webhookId", "msg_" + UUID.randomUUID().toString().replace("-", ""));
    payload.put("clientId", report.ownerId());
    payload.put("callbackUrl", url);
    payload.put("body", body);
    queue.enqueue(
        JobRequest.of(JOB_KIND, json.writeValueAsString(payload))
            .withQueue(config.queue())
            .withMaxAttempts(config.maxAttempts())
            // One webhook per report: a report reaches a final status once.
            .withUniqueKey("webhook:" + report.id()));
  }
}
