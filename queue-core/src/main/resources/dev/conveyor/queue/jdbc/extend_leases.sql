-- extend_leases: the heartbeat of one worker, all of its running jobs in one statement.
-- Returns the rows still held (with their cancel flag); an id missing from the result has lost
-- its lease. Only lease_expires_at changes, which no index covers, so these are HOT updates.
-- Fenced on state and lease token. Locks: the held rows. Index: queue_job_pkey.
-- Binding: as in complete_many.sql (:tokens distinct, :token_at[i] the position of the token of
-- :ids[i]), except that the ids are bound sorted ascending: this CTE locks. Lock order and plan: a
-- MATERIALIZED CTE walks the ids and looks up and locks each row by key in a LATERAL subquery;
-- the write then finds the locked rows by id = ANY(array). Every batched queue_job write locks in
-- id order, and no statistics can turn it into a scan of the table joined to the array (a plan
-- made on a table of a page or two reads the whole table per id instead, so it is planned at each
-- execution: see complete_many.sql).
WITH held AS MATERIALIZED (
    SELECT q.id
    FROM unnest(CAST(:ids AS bigint[]), CAST(:token_at AS int[])) AS h(id, token_at)
    CROSS JOIN LATERAL (
        SELECT q.id
        FROM conveyor.queue_job q
        WHERE q.id = h.id
          AND q.state = 'running'
          AND q.lease_token = (CAST(:tokens AS uuid[]))[h.token_at]
        FOR NO KEY UPDATE
    ) q
)
UPDATE conveyor.queue_job j
SET lease_expires_at = coalesce(CAST(:now AS timestamptz), now()) + CAST(:lease_ms AS bigint) * interval '1 millisecond'
WHERE j.id = ANY (ARRAY(SELECT id FROM held))
RETURNING j.id, j.cancel_requested
