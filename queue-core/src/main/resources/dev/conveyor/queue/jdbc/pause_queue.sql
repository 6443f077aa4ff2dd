-- pause_queue: no claims from :queue until :until (null: until resumed), keeping its limits.
-- Claims check this row, so every worker stops claiming at its next claim.
-- Locks: the one control row. Index: queue_control_pkey.
INSERT INTO conveyor.queue_control (queue, paused_until, updated_at)
VALUES (:queue, coalesce(CAST(:until AS timestamptz), 'infinity'), now())
ON CONFLICT (queue) DO UPDATE
SET paused_until = EXCLUDED.paused_until,
    updated_at   = now()
