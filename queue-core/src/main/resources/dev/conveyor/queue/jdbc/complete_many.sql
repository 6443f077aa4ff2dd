-- complete_many: mark finished attempts completed, many at once.
-- Fenced: a row changes only while it is still running under the token of the attempt that
-- finished; ids missing from the result lost their lease (rescued, released or cancelled).
-- Locks: row locks on the completed rows, taken in id order by the MATERIALIZED CTE's
-- ORDER BY id FOR UPDATE before the UPDATE, the one order of every batched queue_job write (see
-- extend_leases.sql): a completion racing the same worker's heartbeat waits, never deadlocks.
-- Index: queue_job_pkey.
WITH finished AS MATERIALIZED (
    SELECT j.id, c.token
    FROM conveyor.queue_job j
    JOIN unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS c(id, token) ON j.id = c.id
    WHERE j.state = 'running'
      AND j.lease_token = c.token
    ORDER BY j.id
    FOR UPDATE OF j
)
UPDATE conveyor.queue_job j
SET state            = 'completed',
    finalized_at     = coalesce(CAST(:now AS timestamptz), now()),
    lease_expires_at = NULL,
    progress         = 100
FROM finished
WHERE j.id = finished.id
  AND j.state = 'running'
  AND j.lease_token = finished.token
RETURNING j.id
