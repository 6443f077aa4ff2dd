-- advance_schedule: after firing (or skipping) a schedule's due occurrences, in the same
-- transaction as the enqueue, move it to its next occurrence.
-- Locks: the row, already held. Index: recurring_schedule_pkey.
UPDATE conveyor.recurring_schedule
SET next_run_at = CAST(:next_run_at AS timestamptz),
    last_run_at = coalesce(CAST(:last_run_at AS timestamptz), last_run_at),
    last_job_id = coalesce(CAST(:last_job_id AS bigint), last_job_id),
    updated_at  = now()
WHERE name = :name
