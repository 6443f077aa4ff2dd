-- One window of the settler's sweep: the next :window unfinished reports after the key
-- (:afterCreatedAt, :afterId), in (created_at, id) order, each with whether it is unsettled, i.e.
-- no worker event will settle it:
--   * its job is gone (pruned, or never there): FAILED JOB_LOST, or COMPLETED if its file is stored;
--   * its job ended discarded or cancelled before :failedBefore;
--   * its job completed before :completedBefore and its file is stored (artifacts.report_id, set
--     in the job's completing transaction): COMPLETED. A completed job without a stored file
--     (written by a worker older than artifacts.report_id) is left to its callback.
-- Every examined row is returned, candidates or not, so the caller can continue after the last.
-- The window is bounded whatever the backlog (UnsettledReports writes the bound in as a number):
-- it reads at most that many entries of reports_unfinished_created_id_idx (the CTE is
-- MATERIALIZED so that the LIMIT applies to the index walk, not to the rows the join keeps), then
-- one queue_job_pkey probe each, and artifacts_report_id_key for a completed job.
-- Lock: none (the report's row lock is taken when it is settled). Index: as above.
WITH examined AS MATERIALIZED (
    SELECT r.id, r.created_at, r.job_id
    FROM reports r
    WHERE r.status IN ('PENDING', 'PROCESSING')
      AND (r.created_at, r.id) > (CAST(:afterCreatedAt AS timestamptz), CAST(:afterId AS uuid))
    ORDER BY r.created_at, r.id
    LIMIT :window
)
SELECT e.id, e.created_at,
       (j.id IS NULL
        OR (j.state IN ('discarded', 'cancelled')
            AND j.finalized_at < CAST(:failedBefore AS timestamptz))
        OR (j.state = 'completed'
            AND j.finalized_at < CAST(:completedBefore AS timestamptz)
            AND EXISTS (SELECT 1 FROM artifacts a WHERE a.report_id = e.id))) AS unsettled
FROM examined e
LEFT JOIN conveyor.queue_job j ON j.id = e.job_id
ORDER BY e.created_at, e.id
