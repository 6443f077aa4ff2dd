-- extend_leases: the heartbeat of one worker, all of its running jobs in one statement.
-- Returns the rows still held (with their cancel flag); an id missing from the result has lost
-- its lease. Only lease_expires_at changes, which no index covers, so these are HOT updates.
-- Fenced on state and lease token. Locks: the held rows. Index: queue_job_pkey.
UPDATE conveyor.queue_job j
SET lease_expires_at = coalesce(CAST(:now AS timestamptz), now()) + CAST(:lease_ms AS bigint) * interval '1 millisecond'
FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS h(id, token)
WHERE j.id = h.id
  AND j.state = 'running'
  AND j.lease_token = h.token
RETURNING j.id, j.cancel_requested
