package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.RetryPolicy;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code callback.deliver} (queue {@code callbacks}): POSTs the payload (an event body with its
 * {@code id}) to the API, signed, with the event id as {@code webhook-id} on every attempt. The API
 * answers 2xx for refused events too, so those are not retried; other answers map to outcomes as
 * {@link DeliveryRules} describes.
 */
class DeliverCallbackHandler implements JobHandler {

  private final CallbackSender sender;
  private final JsonMapper json;
  private final @Nullable RetryPolicy retryPolicy;

  DeliverCallbackHandler(
      CallbackSender sender, JsonMapper json, @Nullable RetryPolicy retryPolicy) {
    this.sender = sender;
    this.json = json;
    this.retryPolicy = retryPolicy;
  }

  @Override
  public @Nullable RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  @Override
  public String kind() {
    return ReportEvents.DELIVER_KIND;
  }

  @Override
  public void handle(JobContext ctx) {
    byte[] body = ctx.payload().getBytes(StandardCharsets.UTF_8);
    JsonNode event;
    try {
      event = json.readTree(body);
    } catch (RuntimeException e) {
      throw JobFailure.permanent("callback payload is not JSON", e);
    }
    JsonNode id = event.get("id");
    if (id == null || !id.isString() || id.asString().isBlank()) {
      throw JobFailure.permanent("callback payload has no event id");
    }
    sender.deliver(id.asString(), body);
  }
}
