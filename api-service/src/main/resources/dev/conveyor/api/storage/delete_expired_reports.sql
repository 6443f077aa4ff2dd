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
-- The write finds the CTE's locked rows by key (= ANY(array)), never by a join that a custom
-- plan for a large :batch could turn into a scan of the whole table (see the queue's
-- complete_many.sql and docs/design-notes-queue.md, session 10).
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
WHERE r.id = ANY (ARRAY(SELECT id FROM expired))
