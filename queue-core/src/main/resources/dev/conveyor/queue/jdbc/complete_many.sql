-- complete_many: mark finished attempts completed, many at once.
-- Fenced: a row changes only while it is still running under the token of the attempt that
-- finished; ids missing from the result lost their lease (rescued, released or cancelled).
-- Locks: row locks on the completed rows. Index: queue_job_pkey.
-- Lock order: the caller binds the ids sorted ascending (JobRepository sorts them), and the
-- join reads the pkey once per array element in that order, so every batched queue_job write
-- (extend_leases, complete_many, release_many) locks in id order: a heartbeat racing a
-- completion or release of the same jobs waits instead of deadlocking (40P01). Not an
-- ORDER BY id FOR UPDATE CTE: tried, and at 200 slots its completions fell over a minute behind
-- the handlers; 83,650 of 100,000 no-op jobs lost their lease first and ran again after the
-- rescue (docs/benchmarks.md, "Session 8").
UPDATE conveyor.queue_job j
SET state            = 'completed',
    finalized_at     = coalesce(CAST(:now AS timestamptz), now()),
    lease_expires_at = NULL,
    progress         = 100
FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS c(id, token)
WHERE j.id = c.id
  AND j.state = 'running'
  AND j.lease_token = c.token
RETURNING j.id
