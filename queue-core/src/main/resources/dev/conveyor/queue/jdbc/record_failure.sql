-- record_failure: an attempt failed. Retry after :delay_ms (database clock), or discard (dead) when :permanent or no
-- attempt is left; a job whose cancellation was requested ends cancelled instead.
-- The error is appended to the errors array; nothing earlier is overwritten.
-- Fenced on state and lease token. Locks: the one row. Index: queue_job_pkey.
UPDATE conveyor.queue_job
SET state = CASE
        WHEN cancel_requested THEN 'cancelled'
        WHEN :permanent OR attempt >= max_attempts THEN 'discarded'
        ELSE 'available' END,
    run_at = CASE
        WHEN cancel_requested OR :permanent OR attempt >= max_attempts THEN run_at
        ELSE coalesce(CAST(:now AS timestamptz), now()) + CAST(:delay_ms AS bigint) * interval '1 millisecond' END,
    finalized_at = CASE
        WHEN cancel_requested OR :permanent OR attempt >= max_attempts
            THEN coalesce(CAST(:now AS timestamptz), now())
        ELSE NULL END,
    lease_expires_at = NULL,
    errors = errors || jsonb_build_array(jsonb_build_object(
        'attempt', attempt,
        'at', coalesce(CAST(:now AS timestamptz), now()),
        'error', CAST(:error AS text),
        'class', CAST(:error_class AS text)))
WHERE id = :id
  AND state = 'running'
  AND lease_token = :token
RETURNING state
