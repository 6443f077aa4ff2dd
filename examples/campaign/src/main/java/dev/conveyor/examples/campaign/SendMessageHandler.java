package dev.conveyor.examples.campaign;

import dev.conveyor.examples.campaign.MessageEndpoint.FloodWait;
import dev.conveyor.examples.campaign.MessageEndpoint.Rejected;
import dev.conveyor.examples.campaign.MessageEndpoint.Sent;
import dev.conveyor.examples.campaign.MessageEndpoint.Unavailable;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one campaign message ({@value #KIND} jobs, payload {@code {"messageId": 42}}).
 *
 * <ul>
 *   <li>sent: the message is marked sent in the job's completion transaction;
 *   <li>429: the whole queue is paused, cluster-wide, for as long as the endpoint asked, and this
 *       job snoozes as long (no attempt spent); the pause is a deadline stored in the database, so
 *       it lifts by itself and survives restarts;
 *   <li>another 4xx: the message is marked failed and the job completes (retrying cannot help);
 *   <li>408, 5xx, network: the job is retried with the queue's backoff.
 * </ul>
 *
 * <p>The queue's limits (see {@link QueueSetup}) decide how fast and how many at once per
 * recipient; this handler knows nothing about them.
 */
@Component
class SendMessageHandler implements JobHandler {

  static final String KIND = "campaign.send";

  /** The job's payload. */
  record SendMessage(long messageId) {}

  private static final Logger log = LoggerFactory.getLogger(SendMessageHandler.class);

  private final CampaignRepository repository;
  private final MessageEndpoint endpoint;
  private final JsonMapper json;

  SendMessageHandler(CampaignRepository repository, MessageEndpoint endpoint, JsonMapper json) {
    this.repository = repository;
    this.endpoint = endpoint;
    this.json = json;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void handle(JobContext context) throws InterruptedException {
    long messageId = json.readValue(context.payload(), SendMessage.class).messageId();
    CampaignRepository.Message message = repository.findMessage(messageId).orElse(null);
    if (message == null) {
      log.info("message {} is gone (its campaign was deleted); nothing to send", messageId);
      return;
    }
    if (!message.pending()) {
      // An earlier attempt sent it and then lost its lease before completing: do not send twice.
      return;
    }
    switch (endpoint.send(message)) {
      case Sent sent ->
          context.completeWithin(() -> repository.settleMessage(messageId, "sent", null));
      case FloodWait(var delay) -> {
        context.pauseQueueUntil(Instant.now().plus(delay));
        log.info("the endpoint asked to wait {}; queue {} paused", delay, context.job().queue());
        throw JobFailure.snooze(delay);
      }
      case Rejected(int status, String reason) -> {
        log.warn(
            "message {} to {} refused for good: {} {}",
            messageId,
            message.recipient(),
            status,
            reason);
        context.completeWithin(
            () -> repository.settleMessage(messageId, "failed", status + " " + reason));
      }
      case Unavailable(String reason) ->
          throw new IllegalStateException("endpoint unavailable: " + reason);
    }
  }
}
