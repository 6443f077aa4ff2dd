-- extend_leases: the heartbeat of one worker, all of its running jobs in one statement.
-- Returns the rows still held (with their cancel flag); an id missing from the result has lost
-- its lease. Only lease_expires_at changes, which no index covers, so these are HOT updates.
-- Fenced on state and lease token. Locks: the held rows, taken in id order by the MATERIALIZED
-- CTE's ORDER BY id FOR UPDATE before the UPDATE touches them. Every batched write of
-- queue_job rows locks in that one order (complete_many, release_many; rescue_expired and
-- prune_finished skip locked rows instead of waiting), so a heartbeat racing a completion or a
-- release of the same jobs waits for it instead of deadlocking: in arrival order two batches
-- could each hold a row the other needs, and PostgreSQL would abort one (SQLSTATE 40P01).
-- Index: queue_job_pkey.
WITH held AS MATERIALIZED (
    SELECT j.id, h.token
    FROM conveyor.queue_job j
    JOIN unnest(CAST(:ids AS bigint[]), CAST(:tokens AS uuid[])) AS h(id, token) ON j.id = h.id
    WHERE j.state = 'running'
      AND j.lease_token = h.token
    ORDER BY j.id
    FOR UPDATE OF j
)
UPDATE conveyor.queue_job j
SET lease_expires_at = coalesce(CAST(:now AS timestamptz), now()) + CAST(:lease_ms AS bigint) * interval '1 millisecond'
FROM held
WHERE j.id = held.id
  AND j.state = 'running'
  AND j.lease_token = held.token
RETURNING j.id, j.cancel_requested
