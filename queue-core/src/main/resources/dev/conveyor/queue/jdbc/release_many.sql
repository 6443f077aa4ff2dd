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
-- Binding: as in complete_many.sql (:tokens distinct, :token_at[i] the position of the token of
-- :ids[i]), except that the ids are bound sorted ascending: this CTE locks. Lock order and plan: a
-- MATERIALIZED CTE walks the ids and looks up and locks each row by key in a LATERAL subquery;
-- the write then finds the locked rows by id = ANY(array). Every batched queue_job write locks in
-- id order, and no statistics can turn it into a scan of the table joined to the array (a plan
-- made on a table of a page or two reads the whole table per id instead, so it is planned at each
-- execution: see complete_many.sql).
WITH held AS MATERIALIZED (
    SELECT q.id
    FROM unnest(CAST(:ids AS bigint[]), CAST(:token_at AS int[])) AS r(id, token_at)
    CROSS JOIN LATERAL (
        SELECT q.id
        FROM conveyor.queue_job q
        WHERE q.id = r.id
          AND q.state = 'running'
          AND q.lease_token = (CAST(:tokens AS uuid[]))[r.token_at]
        FOR NO KEY UPDATE
    ) q
),
released AS (
    UPDATE conveyor.queue_job j
    SET state            = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'available' END,
        run_at           = CASE WHEN j.cancel_requested THEN j.run_at
                                ELSE coalesce(CAST(:now AS timestamptz), now()) END,
        finalized_at     = CASE WHEN j.cancel_requested THEN coalesce(CAST(:now AS timestamptz), now()) END,
        attempt          = CASE WHEN j.cancel_requested THEN j.attempt ELSE j.attempt - 1 END,
        lease_token      = CASE WHEN j.cancel_requested THEN j.lease_token ELSE gen_random_uuid() END,
        lease_expires_at = NULL
    WHERE j.id = ANY (ARRAY(SELECT id FROM held))
    RETURNING j.id, j.queue, j.state
),
woken AS (
    SELECT count(pg_notify('conveyor_job', queue)) AS n
    FROM (SELECT DISTINCT queue FROM released WHERE state = 'available') q
)
SELECT released.id, released.queue FROM released, woken
