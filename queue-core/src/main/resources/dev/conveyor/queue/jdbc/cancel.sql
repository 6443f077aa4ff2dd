-- cancel: an available job is cancelled at once; a running one gets its cancel flag set (the
-- handler sees it through its context, woken by NOTIFY conveyor_job_cancel or the heartbeat).
-- Returns the resulting state; no row means not found or already finished.
-- Locks: the one row (waits for a claim in flight on it). Index: queue_job_pkey.
WITH changed AS (
    UPDATE conveyor.queue_job
    SET state            = CASE WHEN state = 'available' THEN 'cancelled' ELSE state END,
        finalized_at     = CASE WHEN state = 'available' THEN coalesce(CAST(:now AS timestamptz), now()) END,
        cancel_requested = true
    WHERE id = :id
      AND state IN ('available', 'running')
    RETURNING id, state
)
SELECT state, CASE WHEN state = 'running' THEN pg_notify('conveyor_job_cancel', CAST(id AS text)) END AS woken
FROM changed
