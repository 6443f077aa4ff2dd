-- resume_queue: lift a pause and wake the queue's workers at once.
-- Locks: the one control row. Index: queue_control_pkey.
WITH resumed AS (
    UPDATE conveyor.queue_control
    SET paused_until = NULL, updated_at = now()
    WHERE queue = :queue
    RETURNING queue
)
SELECT queue, pg_notify('conveyor_job', queue) AS woken FROM resumed
