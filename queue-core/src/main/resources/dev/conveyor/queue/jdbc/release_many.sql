-- release_many: a stopping worker hands back jobs it could not finish in time, so another
-- worker takes them at once instead of after the lease expires (NOTIFY wakes them). The attempt
-- is given back: the job did not fail. A job whose cancellation was requested ends cancelled
-- instead, as the rescuer, a failure or a snooze would end it: handed back, it would run again.
-- A job handed back gets a fresh lease token that no attempt holds, so that effects the stopped
-- handler still sends are refused by receivers that fence on the job's token (see
-- JobContext.leaseToken); a job that ends cancelled keeps its attempt's token (that attempt's
-- report of the cancellation is the last word). Queue writes of the stopped handler are refused
-- either way: they need state = 'running'.
-- Locks: the released rows. Index: queue_job_pkey.
-- Lock order: the caller binds the ids sorted ascending (JobRepository sorts them), and the
-- join reads the pkey once per array element in that order, so every batched queue_job write
-- (extend_leases, complete_many, release_many) locks in id order: a heartbeat racing a
-- completion or release of the same jobs waits instead of deadlocking (40P01). Not an
-- ORDER BY id FOR UPDATE CTE: tried, and at 200 slots its completions fell over a minute behind
-- the handlers; 83,650 of 100,000 no-op jobs lost their lease first and ran again after the
-- rescue (docs/benchmarks.md, "Session 8").
WITH released AS (
    UPDATE conveyor.queue_job j
    SET state            = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'available' END,
        run_at           = CASE WHEN j.cancel_requested THEN j.run_at
                                ELSE coalesce(CAST(:now AS timestamptz), now()) END,
        finalized_at     = CASE WHEN j.cancel_requested THEN coalesce(CAST(:now AS timestamptz), now()) END,
        attempt          = CASE WHEN j.cancel_requested THEN j.attempt ELSE j.attempt - 1 END,
        lease_token      = CASE WHEN j.cancel_requested THEN j.lease_token ELSE gen_random_uuid() END,
        lease_expires_at = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS r(id, token)
    WHERE j.id = r.id
      AND j.state = 'running'
      AND j.lease_token = r.token
    RETURNING j.id, j.queue, j.state
),
woken AS (
    SELECT count(pg_notify('conveyor_job', queue)) AS n
    FROM (SELECT DISTINCT queue FROM released WHERE state = 'available') q
)
SELECT released.id, released.queue FROM released, woken
