-- The sweep of voterImport staging rows: up to :limit jobs that have staging rows although they
-- will not run again (final: completed, discarded, cancelled; or pruned from the queue), with
-- their state (NULL: gone). A job waiting for its next attempt (available) keeps its rows: that
-- attempt resumes from them. The distinct job ids are found with a loose index scan of the
-- primary key (one index probe per job with staging rows, however many rows each has), so the
-- cost follows the number of imports, not their size.
-- Lock: none. Index: import_staging_pkey (leading job_id), queue_job_pkey.
WITH RECURSIVE staged_jobs (job_id) AS (
    (SELECT job_id FROM import_staging ORDER BY job_id LIMIT 1)
    UNION ALL
    SELECT (SELECT s.job_id
            FROM import_staging s
            WHERE s.job_id > t.job_id
            ORDER BY s.job_id
            LIMIT 1)
    FROM staged_jobs t
    WHERE t.job_id IS NOT NULL
)
SELECT t.job_id, j.state
FROM staged_jobs t
LEFT JOIN conveyor.queue_job j ON j.id = t.job_id
WHERE t.job_id IS NOT NULL
  AND (j.id IS NULL OR j.state IN ('completed', 'discarded', 'cancelled'))
ORDER BY t.job_id
LIMIT :limit
