-- delete_finished_campaigns: delete up to :batch campaigns finished more than :retention_ms ago,
-- with their messages (message_campaign_fkey cascades). Small batches keep each statement's locks
-- and WAL short; the cleanup repeats until a batch comes back short.
-- Locks: the deleted rows (SKIP LOCKED: a campaign another transaction holds waits for the next
-- run). Index: campaign_finished_at_idx; the messages through message_campaign_id_recipient_key.
WITH doomed AS (
    SELECT id
    FROM campaigns.campaign
    WHERE finished_at < now() - CAST(:retention_ms AS bigint) * interval '1 millisecond'
    ORDER BY finished_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
DELETE FROM campaigns.campaign c
USING doomed
WHERE c.id = doomed.id
