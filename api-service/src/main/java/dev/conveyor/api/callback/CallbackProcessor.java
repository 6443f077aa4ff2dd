package dev.conveyor.api.callback;

import dev.conveyor.api.report.EventOutcome;
import dev.conveyor.api.report.ReportLifecycle;
import dev.conveyor.contract.ReportEvent;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a verified callback once: its {@code webhook-id} is recorded in the same transaction that
 * applies the event, so a redelivery is recognized, and a failed application (rolled back) leaves
 * no receipt and can be retried.
 */
@Service
class CallbackProcessor {

  private final WebhookReceiptRepository receipts;
  private final ReportLifecycle lifecycle;

  CallbackProcessor(WebhookReceiptRepository receipts, ReportLifecycle lifecycle) {
    this.receipts = receipts;
    this.lifecycle = lifecycle;
  }

  @Transactional
  EventOutcome process(String webhookId, ReportEvent event) {
    if (receipts.record(webhookId) == 0) {
      return EventOutcome.duplicateDelivery();
    }
    return lifecycle.apply(event);
  }
}
