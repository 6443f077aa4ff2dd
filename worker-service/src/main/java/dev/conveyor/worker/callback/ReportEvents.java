package dev.conveyor.worker.callback;

import dev.conveyor.contract.ReportEvent;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.worker.WorkerServiceProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * How report handlers tell the API what happened. Two ways, by how much the event matters:
 *
 * <ul>
 *   <li>{@link #sendBestEffort}: {@code report.started} and {@code report.progress}, sent now
 *       without waiting; a lost one is harmless (the next event carries the state forward);
 *   <li>{@link #enqueue}: {@code report.completed}, {@code report.failed}, {@code
 *       report.cancelled}, written as a {@code callback.deliver} job in the caller's transaction,
 *       so the event exists exactly when the outcome it reports was committed, and it is retried
 *       until the API answers.
 * </ul>
 */
public class ReportEvents {

  /** The job kind of a durable callback. */
  public static final String DELIVER_KIND = "callback.deliver";

  private static final Logger log = LoggerFactory.getLogger(ReportEvents.class);

  private final CallbackSender sender;
  private final JobQueue queue;
  private final JsonMapper json;
  private final WorkerServiceProperties properties;

  ReportEvents(
      CallbackSender sender, JobQueue queue, JsonMapper json, WorkerServiceProperties properties) {
    this.sender = sender;
    this.queue = queue;
    this.json = json;
    this.properties = properties;
  }

  /** An event of the attempt running in {@code ctx}, with a fresh id, happening now. */
  public static ReportEvent event(String type, UUID reportId, JobContext ctx) {
    return ReportEvent.of(
        type, reportId, ctx.jobId(), ctx.attempt(), ctx.leaseToken(), Instant.now());
  }

  /** Sends now and does not wait; failures are logged at DEBUG and otherwise ignored. */
  public void sendBestEffort(ReportEvent event) {
    byte[] body = json.writeValueAsBytes(event);
    sender
        .sendAsync(event.id(), body)
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                log.debug(
                    "Best-effort {} for report {} not sent", event.type(), event.reportId(), error);
              } else if (response.statusCode() / 100 != 2) {
                log.debug(
                    "Best-effort {} for report {} answered {}",
                    event.type(),
                    event.reportId(),
                    response.statusCode());
              }
            });
  }

  /**
   * Enqueues a {@code callback.deliver} job whose payload is the event body, in the caller's
   * transaction if there is one.
   */
  public void enqueue(ReportEvent event) {
    String body = new String(json.writeValueAsBytes(event), StandardCharsets.UTF_8);
    queue.enqueue(
        JobRequest.of(DELIVER_KIND, body)
            .withQueue(properties.callbacksQueue())
            .withMaxAttempts(properties.callbackMaxAttempts())
            // One delivery job per event, even if the enqueue is retried.
            .withUniqueKey("callback:" + event.id()));
  }
}
