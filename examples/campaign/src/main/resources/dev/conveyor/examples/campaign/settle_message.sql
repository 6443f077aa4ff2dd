-- settle_message: mark a pending message :status ('sent' or 'failed') and count it off its
-- campaign; the message that settles the campaign's last one sets finished_at. Runs in the send
-- job's completion transaction (JobContext.completeWithin): the message's status and the job's
-- completion commit together. A message already settled changes nothing (0 rows).
-- Locks: the message row, then its campaign row: settlements of one campaign take turns, and
-- each re-reads pending after the previous one committed, so the count is exact and exactly one
-- of them finishes the campaign. Index: both primary keys.
WITH settled AS (
    UPDATE campaigns.message
    SET status = :status, settled_at = now(), error = :error
    WHERE id = :id AND status = 'pending'
    RETURNING campaign_id
)
UPDATE campaigns.campaign c
SET pending     = c.pending - 1,
    finished_at = CASE WHEN c.pending = 1 THEN now() END
FROM settled
WHERE c.id = settled.campaign_id
