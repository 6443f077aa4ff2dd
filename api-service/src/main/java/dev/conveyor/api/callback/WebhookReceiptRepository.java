package dev.conveyor.api.callback;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface WebhookReceiptRepository extends JpaRepository<WebhookReceipt, String> {

  /**
   * Records a webhook-id in the caller's transaction; 0 if it is already there. A concurrent
   * delivery of the same id waits here for the first one's transaction and then sees the conflict,
   * so one id is applied once even under a race.
   */
  @Modifying
  @Query(
      nativeQuery = true,
      value =
          "INSERT INTO webhook_receipts (webhook_id) VALUES (:webhookId) ON CONFLICT DO NOTHING")
  int record(String webhookId);

  /**
   * Deletes up to {@code batch} receipts older than the retention, oldest first (index
   * webhook_receipts_received_at_idx); small batches keep locks and WAL bursts short.
   */
  @Modifying
  @Query(
      nativeQuery = true,
      value =
          """
          DELETE FROM webhook_receipts
          WHERE webhook_id IN (
              SELECT webhook_id FROM webhook_receipts
              WHERE received_at < now() - make_interval(secs => :retentionSeconds)
              ORDER BY received_at
              LIMIT :batch)
          """)
  int pruneOlderThan(double retentionSeconds, int batch);
}
