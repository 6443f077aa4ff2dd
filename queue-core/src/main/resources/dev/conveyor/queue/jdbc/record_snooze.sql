-- record_snooze: run again after :delay_ms (database clock) without spending an attempt (the attempt counter goes
-- back to what it was before this claim; the lease token still changes at the next claim).
-- Fenced on state and lease token. Locks: the one row. Index: queue_job_pkey.
UPDATE conveyor.queue_job
SET state            = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END,
    run_at           = coalesce(CAST(:now AS timestamptz), now()) + CAST(:delay_ms AS bigint) * interval '1 millisecond',
    finalized_at     = CASE WHEN cancel_requested THEN coalesce(CAST(:now AS timestamptz), now()) END,
    attempt          = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
    lease_expires_at = NULL
WHERE id = :id
  AND state = 'running'
  AND lease_token = :token
RETURNING state
