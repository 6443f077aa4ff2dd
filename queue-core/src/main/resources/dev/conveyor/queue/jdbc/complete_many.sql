-- complete_many: mark finished attempts completed, many at once.
-- Fenced: a row changes only while it is still running under the token of the attempt that
-- finished; ids missing from the result lost their lease (rescued, released or cancelled).
-- Locks: row locks on the completed rows. Index: queue_job_pkey.
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
