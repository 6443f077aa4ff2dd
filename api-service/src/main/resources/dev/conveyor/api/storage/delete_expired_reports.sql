-- One batch of expired reports: rows in a final status since before :cutoff are deleted (a
-- later GET is a 404 like any unknown report; a late worker event for one is refused as "no
-- report"). A report whose file has not expired yet (its batch is behind, since the report
-- retention is at least the artifact retention) takes the file with it in the same statement:
-- nothing else would ever reach it.
--
-- Unfinished reports are never deleted (completed_at is NULL). The report's queue job is the
-- queue's to prune. Returns how many reports were deleted.
--
-- Lock: the batch's reports rows (FOR UPDATE, SKIP LOCKED, then deleted), any artifacts rows
-- deleted with them. Index: reports_completed_idx (partial on completed_at IS NOT NULL), then
-- artifacts_pkey.
WITH expired AS MATERIALIZED (
    SELECT id, artifact_id
    FROM reports
    WHERE completed_at < :cutoff
    ORDER BY completed_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
),
gone AS (
    DELETE FROM reports r
    USING expired e
    WHERE r.id = e.id
    RETURNING e.artifact_id
),
files AS (
    DELETE FROM artifacts a
    USING gone g
    WHERE a.id = g.artifact_id
)
SELECT count(*)::int FROM gone
