-- retry_finished: give a discarded (dead) or cancelled job another run now. Its errors are kept;
-- if it has no attempt left it gets exactly one more.
-- Locks: the one row. Index: queue_job_pkey; queue_job_unique_key_idx may refuse it when another
-- unfinished job took the key meanwhile.
WITH changed AS (
    UPDATE conveyor.queue_job
    SET state            = 'available',
        run_at           = coalesce(CAST(:now AS timestamptz), now()),
        finalized_at     = NULL,
        cancel_requested = false,
        max_attempts     = greatest(max_attempts, attempt + 1)
    WHERE id = :id
      AND state IN ('discarded', 'cancelled')
    RETURNING *
)
SELECT changed.*, pg_notify('conveyor_job', queue) AS woken FROM changed
