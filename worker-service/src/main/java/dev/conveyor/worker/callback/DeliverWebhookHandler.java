package dev.conveyor.worker.callback;

import dev.conveyor.contract.Secret;
import dev.conveyor.contract.SqlFiles;
import dev.conveyor.contract.WebhookSigner;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.worker.Traces;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code webhook.deliver} (queue {@code webhooks}): a client's webhook, enqueued by the API when a
 * report with a {@code callbackUrl} reaches a final status. Payload {@code {webhookId, clientId,
 * callbackUrl, body}}: POSTs {@code body} to {@code callbackUrl}, signed with the client's {@code
 * api_clients.webhook_secret}, {@code webhookId} as {@code webhook-id} on every attempt. Answers
 * map to outcomes as for {@code callback.deliver} ({@link DeliveryRules}); a URL whose host is or
 * resolves to a non-public address is refused for good unless allowed ({@link AddressPolicy},
 * checked by {@link WebhookSender} on the addresses it connects to). A {@code Retry-After} is
 * honoured (a snooze, no attempt spent) only until the webhook is {@code giveUpAfter} old; after
 * that such an answer ends the delivery for good, so a receiver that always asks to retry later
 * cannot keep it alive for ever.
 */
class DeliverWebhookHandler implements JobHandler {

  static final String KIND = "webhook.deliver";

  private static final String FIND_SECRET =
      SqlFiles.load(DeliverWebhookHandler.class, "find_webhook_secret.sql");

  private final WebhookSender sender;
  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final @Nullable RetryPolicy retryPolicy;
  private final Duration giveUpAfter;
  private final InstantSource clock;

  DeliverWebhookHandler(
      WebhookSender sender,
      JdbcClient jdbc,
      JsonMapper json,
      @Nullable RetryPolicy retryPolicy,
      Duration giveUpAfter,
      InstantSource clock) {
    this.sender = sender;
    this.jdbc = jdbc;
    this.json = json;
    this.retryPolicy = retryPolicy;
    this.giveUpAfter = giveUpAfter;
    this.clock = clock;
  }

  @Override
  public @Nullable RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void handle(JobContext ctx) {
    JsonNode payload;
    try {
      payload = json.readTree(ctx.payload());
    } catch (RuntimeException e) {
      throw JobFailure.permanent("webhook payload is not JSON", e);
    }
    String webhookId = text(payload, "webhookId");
    String callbackUrl = text(payload, "callbackUrl");
    JsonNode clientId = payload.get("clientId");
    JsonNode body = payload.get("body");
    if (clientId == null || !clientId.isIntegralNumber() || body == null || !body.isObject()) {
      throw JobFailure.permanent("webhook payload needs webhookId, clientId, callbackUrl and body");
    }
    JsonNode reportId = body.get("reportId");
    if (reportId != null && reportId.isString()) {
      Traces.reportId(reportId.asString());
    }
    URI url;
    try {
      url = URI.create(callbackUrl);
    } catch (IllegalArgumentException e) {
      // Not shown: a malformed URL cannot be stripped of a token it may carry.
      throw JobFailure.permanent("callbackUrl is not a URL");
    }
    if (!url.isAbsolute() || !url.getScheme().matches("https?") || url.getHost() == null) {
      throw JobFailure.permanent("callbackUrl must be an absolute http(s) URL");
    }
    Optional<String> secret =
        jdbc.sql(FIND_SECRET).param("id", clientId.asLong()).query(String.class).optional();
    if (secret.isEmpty()) {
      throw JobFailure.permanent(
          "client " + clientId.asLong() + " is unknown, revoked or has no webhook secret");
    }
    WebhookSigner signer;
    try {
      signer = new WebhookSigner(new Secret(secret.get()));
    } catch (IllegalArgumentException e) {
      throw JobFailure.permanent("client " + clientId.asLong() + ": " + e.getMessage());
    }
    try {
      sender.deliver(url, signer, webhookId, json.writeValueAsBytes(body));
    } catch (JobFailure.Snooze e) {
      Duration age = Duration.between(ctx.job().createdAt(), clock.instant());
      if (age.compareTo(giveUpAfter) >= 0) {
        throw JobFailure.permanent(
            DeliveryRules.shown(url)
                + " still asked to retry later "
                + age.toHours()
                + " h after the webhook was enqueued; given up (webhooks.give-up-after "
                + giveUpAfter
                + ")",
            e);
      }
      throw e;
    }
  }

  private static String text(JsonNode payload, String name) {
    JsonNode n = payload.get(name);
    if (n == null || !n.isString() || n.asString().isBlank()) {
      throw JobFailure.permanent("webhook payload needs a " + name);
    }
    return n.asString();
  }
}
