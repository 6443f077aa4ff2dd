package dev.conveyor.worker.callback;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.worker.Traces;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code callback.deliver} (queue {@code callbacks}): POSTs the payload (an event body with its
 * {@code id}) to the API, signed, with the event id as {@code webhook-id} on every attempt. The API
 * answers 2xx for refused events too, so those are not retried.
 *
 * <p>Unlike a client's webhook, a callback to our own API is never given up while its report could
 * still change: every answer that is not a 2xx is retried, a rejection (a 401 for a clock or a
 * secret, any other 4xx or 3xx, counted by {@link ApiCallbackHealth}) as well as a 5xx or an
 * unreachable API, with the delivery backoff; on the last attempt the job snoozes for the capped
 * backoff instead of ending dead, so its errors stop growing but it keeps trying. It stops (ends
 * discarded, the reason in its errors) once the report is final in the database, whoever settled
 * it, since the event can no longer change anything. A {@code Retry-After} still becomes a snooze
 * ({@link DeliveryRules}).
 */
class DeliverCallbackHandler implements JobHandler {

  private static final String FIND_REPORT_STATUS =
      SqlFiles.load(DeliverCallbackHandler.class, "find_report_status.sql");
  private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

  private final CallbackSender sender;
  private final JsonMapper json;
  private final JdbcClient jdbc;
  private final RetryPolicy retryPolicy;
  private final ApiCallbackHealth health;

  /**
   * @param retryPolicy the backoff between attempts, and of the snoozes after the last one
   */
  DeliverCallbackHandler(
      CallbackSender sender,
      JsonMapper json,
      JdbcClient jdbc,
      RetryPolicy retryPolicy,
      ApiCallbackHealth health) {
    this.sender = sender;
    this.json = json;
    this.jdbc = jdbc;
    this.retryPolicy = retryPolicy;
    this.health = health;
  }

  @Override
  public RetryPolicy retryPolicy() {
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
    String reportId = reportId(event);
    if (reportId != null) {
      Traces.reportId(reportId);
    }
    try {
      sender.deliver(id.asString(), body);
    } catch (CallbackRejectedException e) {
      health.rejected(e.status(), e.reason());
      throw retryUnlessSettled(ctx, event, e);
    } catch (DeliveryFailedException e) {
      throw retryUnlessSettled(ctx, event, e);
    }
    health.delivered();
  }

  /**
   * The failure to record: discarded if the report is final (or gone), a snooze for the capped
   * backoff on the last attempt, else {@code failure} itself (retried with the backoff).
   */
  private RuntimeException retryUnlessSettled(
      JobContext ctx, JsonNode event, RuntimeException failure) {
    String reportId = reportId(event);
    if (reportId != null) {
      Optional<String> status;
      try {
        status =
            jdbc.sql(FIND_REPORT_STATUS)
                .param("id", UUID.fromString(reportId))
                .query(String.class)
                .optional();
      } catch (DataAccessException e) {
        // Unknown: keep the callback (the delivery's own failure decides, below).
        status = Optional.of("UNKNOWN");
      }
      if (status.isEmpty() || FINAL.contains(status.get())) {
        return JobFailure.permanent(
            "report "
                + reportId
                + (status.isEmpty() ? " no longer exists" : " is already " + status.get())
                + ", so this event cannot change it any more; delivery stopped after: "
                + failure.getMessage(),
            failure);
      }
    }
    if (ctx.attempt() >= ctx.job().maxAttempts()) {
      // A dead callback would leave the report to the API's settler; keep trying instead, at the
      // capped pace and without spending (or recording) more attempts.
      return JobFailure.snooze(retryPolicy.backoff(ctx.attempt()));
    }
    return failure;
  }

  private static @Nullable String reportId(JsonNode event) {
    JsonNode id = event.get("reportId");
    if (id == null || !id.isString()) {
      return null;
    }
    try {
      return UUID.fromString(id.asString()).toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
