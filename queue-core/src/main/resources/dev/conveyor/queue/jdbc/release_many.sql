-- release_many: a stopping worker hands back jobs it could not finish in time, so another
-- worker takes them at once instead of after the lease expires (NOTIFY wakes them). The attempt
-- is given back: the job did not fail. The old token stays on the row, so the stopped handler
-- stays fenced.
-- Locks: the released rows. Index: queue_job_pkey.
WITH released AS (
    UPDATE conveyor.queue_job j
    SET state            = 'available',
        run_at           = coalesce(CAST(:now AS timestamptz), now()),
        attempt          = j.attempt - 1,
        lease_expires_at = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS r(id, token)
    WHERE j.id = r.id
      AND j.state = 'running'
      AND j.lease_token = r.token
    RETURNING j.id, j.queue
),
woken AS (
    SELECT count(pg_notify('conveyor_job', queue)) AS n FROM (SELECT DISTINCT queue FROM released) q
)
SELECT released.id, released.queue FROM released, woken
