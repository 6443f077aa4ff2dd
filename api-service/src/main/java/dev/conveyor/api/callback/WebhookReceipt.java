package dev.conveyor.api.callback;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code webhook_receipts}: a callback's {@code webhook-id} that was applied. */
@Entity
@Table(name = "webhook_receipts")
class WebhookReceipt {

  @Id
  @Column(name = "webhook_id")
  private String webhookId = "";

  @Column(name = "received_at")
  private Instant receivedAt = Instant.EPOCH;

  protected WebhookReceipt() {}
}
