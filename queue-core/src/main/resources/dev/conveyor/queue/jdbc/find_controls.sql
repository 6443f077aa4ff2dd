-- find_controls: every queue's pause and limits (a handful of rows). Locks: none.
SELECT queue, paused_until, max_running, max_running_per_key, rate_limit,
       CAST(extract(epoch FROM rate_period) * 1000 AS bigint) AS rate_period_ms,
       coalesce(paused_until > now(), false) AS paused
FROM conveyor.queue_control
ORDER BY queue
