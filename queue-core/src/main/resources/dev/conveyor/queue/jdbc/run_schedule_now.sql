-- run_schedule_now: an operator runs a schedule's job now, outside its cron: enqueues one job
-- from the schedule's row (kind, payload, queue, priority, max attempts) and records it as the
-- schedule's last run, so its outcome shows. next_run_at is left alone. Works on a paused
-- schedule too. Returns the new job's id; no row: no such schedule.
-- Locks: the schedule row (waits for a scheduler firing it right now). Index:
-- recurring_schedule_pkey.
WITH s AS MATERIALIZED (
    SELECT name, kind, payload, queue, priority, max_attempts
    FROM conveyor.recurring_schedule
    WHERE name = :name
    FOR UPDATE
),
job AS (
    INSERT INTO conveyor.queue_job (queue, kind, payload, priority, max_attempts)
    SELECT queue, kind, payload, priority, max_attempts FROM s
    RETURNING id, queue, created_at
),
recorded AS (
    UPDATE conveyor.recurring_schedule r
    SET last_run_at = job.created_at, last_job_id = job.id, updated_at = now()
    FROM job
    WHERE r.name = :name
)
SELECT id FROM job, LATERAL (SELECT pg_notify('conveyor_job', job.queue)) woken
