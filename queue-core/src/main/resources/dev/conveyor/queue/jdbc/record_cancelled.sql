-- record_cancelled: the handler stopped because its cancellation was requested.
-- Fenced on state and lease token. Locks: the one row. Index: queue_job_pkey.
UPDATE conveyor.queue_job
SET state            = 'cancelled',
    finalized_at     = coalesce(CAST(:now AS timestamptz), now()),
    lease_expires_at = NULL
WHERE id = :id
  AND state = 'running'
  AND lease_token = :token
RETURNING state
