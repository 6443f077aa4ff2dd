-- retry_dead_batch: give up to :limit dead (discarded) jobs of one queue another run now, oldest
-- first, as retry_finished.sql does for one; called in a loop of short transactions, so retrying a
-- million dead jobs never holds a million row locks. Jobs whose unique key another unfinished job
-- took meanwhile stay dead (skipped, not an error), and of several dead jobs sharing a unique key
-- only the oldest comes back (the others would break queue_job_unique_key_idx); SKIP LOCKED leaves
-- rows another transaction holds to the next batch.
-- Locks: up to :limit rows. Index: queue_job_discarded_idx (queue, id) WHERE state = 'discarded';
-- the UPDATE finds the chosen rows by id = ANY(array) (queue_job_pkey), never a join.
WITH batch AS MATERIALIZED (
    SELECT id, unique_key
    FROM conveyor.queue_job
    WHERE state = 'discarded'
      AND queue = :queue
      AND id > :after_id
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
),
chosen AS (
    SELECT id FROM batch WHERE unique_key IS NULL
    UNION ALL
    SELECT min(id) FROM batch WHERE unique_key IS NOT NULL GROUP BY unique_key
),
changed AS (
    UPDATE conveyor.queue_job j
    SET state            = 'available',
        run_at           = coalesce(CAST(:now AS timestamptz), now()),
        finalized_at     = NULL,
        cancel_requested = false,
        max_attempts     = greatest(j.max_attempts, j.attempt + 1)
    WHERE j.id = ANY (ARRAY(SELECT id FROM chosen))
      AND (j.unique_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM conveyor.queue_job o
              WHERE o.unique_key = j.unique_key AND o.state IN ('available', 'running')))
    RETURNING j.id
)
SELECT (SELECT count(*) FROM changed) AS retried,
       (SELECT max(id) FROM batch) AS last_id,
       CASE WHEN EXISTS (SELECT 1 FROM changed) THEN pg_notify('conveyor_job', :queue) END AS woken
