-- set_limits: set a queue's cluster-wide limits (null clears one), keeping its pause. Tells every
-- worker through NOTIFY conveyor_control (they switch between the plain and the limited claim)
-- and wakes the queue's workers, since looser limits may let jobs start now.
-- Locks: the one control row. Index: queue_control_pkey.
WITH saved AS (
    INSERT INTO conveyor.queue_control
        (queue, max_running, max_running_per_key, rate_limit, rate_period, updated_at)
    VALUES (:queue, CAST(:max_running AS int), CAST(:max_per_key AS int), CAST(:rate_limit AS int),
            CAST(:rate_period_ms AS bigint) * interval '1 millisecond', now())
    ON CONFLICT (queue) DO UPDATE
    SET max_running         = EXCLUDED.max_running,
        max_running_per_key = EXCLUDED.max_running_per_key,
        rate_limit          = EXCLUDED.rate_limit,
        rate_period         = EXCLUDED.rate_period,
        updated_at          = now()
    RETURNING queue
)
SELECT queue,
       pg_notify('conveyor_control', queue) AS told,
       pg_notify('conveyor_job', queue) AS woken
FROM saved
