-- prune_finished: delete a small batch of finished jobs past their retention, oldest first.
-- Small batches with SKIP LOCKED keep locks short and let autovacuum keep up (no bloat wave).
-- Locks: the deleted rows, finished ones that no other write touches; SKIP LOCKED never waits,
-- so a prune cannot deadlock with another batch. Index: queue_job_finalized_idx; the DELETE
-- finds the locked rows by id = ANY(array) (queue_job_pkey), never a join that a custom plan
-- could turn into a scan of the whole table.
WITH doomed AS MATERIALIZED (
    SELECT id
    FROM conveyor.queue_job
    WHERE finalized_at < greatest(CAST(:completed_before AS timestamptz), CAST(:failed_before AS timestamptz))
      AND ((state = 'completed' AND finalized_at < CAST(:completed_before AS timestamptz))
        OR (state IN ('discarded', 'cancelled') AND finalized_at < CAST(:failed_before AS timestamptz)))
    ORDER BY finalized_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
DELETE FROM conveyor.queue_job j
WHERE j.id = ANY (ARRAY(SELECT id FROM doomed))
