-- list_schedules: every recurring schedule with its next and last run, whether an operator paused
-- it, and the state of its last job (null before the first run or once that job was pruned).
-- Locks: none. Index: recurring_schedule_pkey order; queue_job_pkey per schedule.
SELECT s.name, s.cron, s.time_zone, s.kind, s.queue, s.missed_policy, s.paused, s.next_run_at,
       s.last_run_at, s.last_job_id, j.state AS last_state
FROM conveyor.recurring_schedule s
LEFT JOIN conveyor.queue_job j ON j.id = s.last_job_id
ORDER BY s.name
