-- voterImport: up to :limit staging rows of one job, first lines first, in a short transaction of
-- its own: a new attempt clearing what an attempt that died while staging left, the attempt
-- itself once its import ended, or the sweep once the job is final or gone. Bounded, so no delete
-- holds its transaction open for a whole import; SKIP LOCKED, so two sweeping workers take
-- disjoint rows.
-- Lock: FOR UPDATE on the chosen rows, then deleted. Index: import_staging_pkey (job_id, line).
-- The write finds the CTE's locked rows by key (= ANY(array)), never by a join that a custom
-- plan for a large :batch could turn into a scan of the whole table (see the queue's
-- complete_many.sql and docs/design-notes-queue.md, session 10).
WITH doomed AS MATERIALIZED (
    SELECT line
    FROM import_staging
    WHERE job_id = :jobId
    ORDER BY line
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
DELETE FROM import_staging s
WHERE s.job_id = :jobId AND s.line = ANY (ARRAY(SELECT line FROM doomed))
