package dev.conveyor.examples.campaign;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionOperations;

/** Starts campaigns. */
@Service
class Campaigns {

  /** A started campaign. */
  record Started(long campaignId, List<CampaignRepository.NewMessage> messages) {}

  private final CampaignRepository repository;
  private final JobQueue queue;
  private final TransactionOperations transactions;

  Campaigns(CampaignRepository repository, JobQueue queue, TransactionOperations transactions) {
    this.repository = repository;
    this.queue = queue;
    this.transactions = transactions;
  }

  /**
   * Starts a campaign: its row, one message row per recipient (duplicates dropped) and one send job
   * per message, in one transaction. If anything fails, none of it exists; once it commits, every
   * message is sent (or marked failed) by the workers, whatever restarts in between.
   *
   * @throws IllegalArgumentException if the name or text is blank, or a recipient is blank or
   *     longer than 255 characters
   */
  Started start(String name, String text, List<String> recipients) {
    requireText("name", name);
    requireText("text", text);
    List<String> distinct = recipients.stream().map(String::strip).distinct().toList();
    for (String recipient : distinct) {
      if (recipient.isEmpty() || recipient.length() > 255) {
        throw new IllegalArgumentException(
            "recipients: each must be 1 to 255 characters, not '" + recipient + "'");
      }
    }
    return Objects.requireNonNull(
        transactions.execute(
            status -> {
              long campaignId = repository.insertCampaign(name, text, distinct.size());
              List<CampaignRepository.NewMessage> messages =
                  repository.insertMessages(campaignId, distinct);
              queue.enqueueAll(messages.stream().map(Campaigns::sendJob).toList());
              return new Started(campaignId, messages);
            }));
  }

  /**
   * The send job of one message, on the limited queue, keyed by its recipient: the queue's per-key
   * limit runs at most one job per recipient at a time, across every worker.
   */
  private static JobRequest sendJob(CampaignRepository.NewMessage message) {
    return JobRequest.of(SendMessageHandler.KIND, "{\"messageId\":" + message.id() + "}")
        .withQueue(QueueSetup.MESSAGES)
        .withPartitionKey(message.recipient());
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }
}
