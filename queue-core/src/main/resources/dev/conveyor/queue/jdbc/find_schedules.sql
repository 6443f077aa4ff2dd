-- find_schedules: every schedule with its next and last run and the state of its last job (the
-- job may have been pruned: then the state is null). Locks: none.
SELECT s.name, s.cron, s.time_zone, s.kind, s.queue, s.missed_policy, s.next_run_at,
       s.last_run_at, s.last_job_id, j.state AS last_state
FROM conveyor.recurring_schedule s
LEFT JOIN conveyor.queue_job j ON j.id = s.last_job_id
ORDER BY s.name
