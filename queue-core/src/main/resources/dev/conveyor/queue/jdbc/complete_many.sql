-- complete_many: mark finished attempts completed, many at once.
-- Fenced: a row changes only while it is still running under the token of the attempt that
-- finished; ids missing from the result lost their lease (rescued, released or cancelled).
-- Locks: row locks on the completed rows. Index: queue_job_pkey.
-- Lock order and plan: the caller binds the ids sorted ascending (JobRepository sorts them).
-- The MATERIALIZED CTE walks the array in that order and, per element, looks the row up by
-- primary key and locks it (a LATERAL subquery with a locking clause is never flattened into a
-- join), so every batched queue_job write (extend_leases, complete_many, release_many) locks in
-- id order: a heartbeat racing a completion or release of the same jobs waits instead of
-- deadlocking (40P01). The UPDATE then finds the locked rows by id = ANY(array), an index scan.
-- Why not UPDATE ... FROM unnest(...) (the form before): its plan depends on the statistics.
-- Right after an ANALYZE that saw no running job, PostgreSQL estimated one running row, scanned
-- the table for it and joined the array in a nested loop: 190 ms for 1,000 ids instead of 9 ms
-- (O(ids x running)), slow enough for leases to run out (docs/benchmarks.md, "Session 10").
-- Nor an ORDER BY id FOR UPDATE CTE over the whole set: tried in session 8, and at 200 slots its
-- completions fell over a minute behind the handlers.
WITH held AS MATERIALIZED (
    SELECT q.id
    FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS c(id, token)
    CROSS JOIN LATERAL (
        SELECT q.id
        FROM conveyor.queue_job q
        WHERE q.id = c.id
          AND q.state = 'running'
          AND q.lease_token = c.token
        FOR NO KEY UPDATE
    ) q
)
UPDATE conveyor.queue_job j
SET state            = 'completed',
    finalized_at     = coalesce(CAST(:now AS timestamptz), now()),
    lease_expires_at = NULL,
    progress         = 100
WHERE j.id = ANY (ARRAY(SELECT id FROM held))
RETURNING j.id
