-- extend_leases: the heartbeat of one worker, all of its running jobs in one statement.
-- Returns the rows still held (with their cancel flag); an id missing from the result has lost
-- its lease. Only lease_expires_at changes, which no index covers, so these are HOT updates.
-- Fenced on state and lease token. Locks: the held rows. Index: queue_job_pkey.
-- Lock order: the caller binds the ids sorted ascending (JobRepository sorts them), and the
-- join reads the pkey once per array element in that order, so every batched queue_job write
-- (extend_leases, complete_many, release_many) locks in id order: a heartbeat racing a
-- completion or release of the same jobs waits instead of deadlocking (40P01). Not an
-- ORDER BY id FOR UPDATE CTE: tried, and at 200 slots its completions fell over a minute behind
-- the handlers; 83,650 of 100,000 no-op jobs lost their lease first and ran again after the
-- rescue (docs/benchmarks.md, "Session 8").
UPDATE conveyor.queue_job j
SET lease_expires_at = coalesce(CAST(:now AS timestamptz), now()) + CAST(:lease_ms AS bigint) * interval '1 millisecond'
FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS h(id, token)
WHERE j.id = h.id
  AND j.state = 'running'
  AND j.lease_token = h.token
RETURNING j.id, j.cancel_requested
