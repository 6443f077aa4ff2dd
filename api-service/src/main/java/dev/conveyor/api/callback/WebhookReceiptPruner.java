package dev.conveyor.api.callback;

import dev.conveyor.api.ApiProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes webhook receipts older than {@code conveyor.api.callbacks.replay-retention}, once a
 * minute, in batches of {@value #BATCH} (one short transaction each). Every API instance runs it;
 * they only ever delete the same expired rows. Failures are logged and retried next round.
 */
@Component
class WebhookReceiptPruner {

  static final int BATCH = 1000;
  private static final Logger log = LoggerFactory.getLogger(WebhookReceiptPruner.class);

  private final WebhookReceiptRepository receipts;
  private final TransactionTemplate transaction;
  private final Duration retention;

  WebhookReceiptPruner(
      WebhookReceiptRepository receipts,
      PlatformTransactionManager transactionManager,
      ApiProperties properties) {
    this.receipts = receipts;
    this.transaction = new TransactionTemplate(transactionManager);
    this.retention = properties.callbacks().replayRetention();
  }

  @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
  void scheduled() {
    try {
      prune();
    } catch (RuntimeException e) {
      log.error("Pruning webhook receipts failed; trying again in a minute", e);
    }
  }

  /** Deletes every expired receipt; returns how many. */
  int prune() {
    int total = 0;
    int deleted;
    do {
      Integer n =
          transaction.execute(s -> receipts.pruneOlderThan(retention.toMillis() / 1000.0, BATCH));
      deleted = n == null ? 0 : n;
      total += deleted;
    } while (deleted == BATCH);
    if (total > 0) {
      log.debug("Pruned {} webhook receipts", total);
    }
    return total;
  }
}
