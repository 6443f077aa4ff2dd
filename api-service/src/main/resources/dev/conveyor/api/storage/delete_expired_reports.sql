-- One batch of expired reports: rows in a final status since before :cutoff, without a file, are
-- deleted (a later GET is a 404 like any unknown report; a late worker event for one is refused as
-- "no report"). A completed report past this retention is past the shorter artifact retention as
-- well, so the file sweep, which runs first, has already taken its file (a file it skipped
-- because the report was locked waits with its report for the next round).
--
-- Unfinished reports are never deleted (completed_at is NULL). The report's queue job is the
-- queue's to prune.
--
-- Lock: the batch's reports rows (FOR UPDATE, SKIP LOCKED, then deleted). Index:
-- reports_final_idx (partial: final reports without a file), then reports_pkey.
WITH expired AS MATERIALIZED (
    SELECT id
    FROM reports
    WHERE completed_at < :cutoff
      AND artifact_id IS NULL
    ORDER BY completed_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
DELETE FROM reports r
USING expired e
WHERE r.id = e.id
