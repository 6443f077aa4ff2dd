-- rescue_expired: running jobs whose lease expired (the worker died or lost the database) go
-- back to available, or are discarded when no attempt is left, or end cancelled when that was
-- requested. "lease expired" is recorded as that attempt's error. A job made available again gets
-- a fresh lease token that no attempt holds: the expired attempt may still be alive (a partitioned
-- worker), and whoever receives its effects and fences them on the job's token (see
-- JobContext.leaseToken) must refuse them from now on, not only once another worker claims the job.
-- Locks: FOR UPDATE SKIP LOCKED on at most :limit rows, so several rescuers (one per worker,
-- no leader) split the work and never block a live worker's writes for long. SKIP LOCKED never
-- waits for a row, so a rescue cannot deadlock with a heartbeat or a completion; it also locks in
-- id order, the order of every batched queue_job write (see extend_leases.sql).
-- Index: queue_job_running_idx (the running set is small: bounded by total concurrency); the
-- UPDATE finds the locked rows by id = ANY(array) (queue_job_pkey), never a join.
WITH expired AS MATERIALIZED (
    SELECT id
    FROM conveyor.queue_job
    WHERE state = 'running'
      AND lease_expires_at < coalesce(CAST(:now AS timestamptz), now())
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
UPDATE conveyor.queue_job j
SET state = CASE
        WHEN j.cancel_requested THEN 'cancelled'
        WHEN j.attempt >= j.max_attempts THEN 'discarded'
        ELSE 'available' END,
    finalized_at = CASE
        WHEN j.cancel_requested OR j.attempt >= j.max_attempts
            THEN coalesce(CAST(:now AS timestamptz), now())
        END,
    run_at = coalesce(CAST(:now AS timestamptz), now()),
    lease_token = CASE
        WHEN j.cancel_requested OR j.attempt >= j.max_attempts THEN j.lease_token
        ELSE gen_random_uuid() END,
    lease_expires_at = NULL,
    errors = j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt,
        'at', coalesce(CAST(:now AS timestamptz), now()),
        'error', 'lease expired: worker ' || j.lease_owner || ' stopped renewing it',
        'class', 'LeaseExpired'))
WHERE j.id = ANY (ARRAY(SELECT id FROM expired))
RETURNING j.id, j.queue, j.kind, j.state, j.attempt
