-- overview_queues: one row per queue for the console's overview: jobs available now, scheduled
-- (waiting for their first run_at), retryable (waiting for a retry's run_at), running and dead;
-- the oldest runnable job's run_at; pause and limits and whether they bind right now.
-- Cost bounded whatever the backlog: every count except running stops at 1000 rows (written in
-- as a number; the page shows "1,000+" and the depth sampler's estimate for available), and
-- every walk jumps between index groups (a loose index scan, as count_available.sql does).
--   groups:  each (queue, priority) of queue_job_claim_idx, one descent per group;
--   per group the runnable jobs are a leading run_at range and the delayed ones a trailing one,
--   so neither count reads the other's entries;
--   dead:    queue_job_discarded_idx (queue, id), one descent per queue plus at most 1000 entries;
--   running: queue_job_running_idx (the running set is bounded by the workers' slots);
--   binding: queue_control (a row per limited queue), queue_start_log_queue_started_at_idx.
-- Queues are those with waiting, running or dead jobs, a control, a schedule, a live runtime, or
-- a finish in the last hour; a queue whose only jobs are completed and old is not listed.
-- Locks: none.
WITH RECURSIVE t AS MATERIALIZED (
    SELECT now() AS now
),
groups (queue, priority) AS (
    (SELECT queue, priority
     FROM conveyor.queue_job
     WHERE state = 'available'
     ORDER BY queue, priority
     LIMIT 1)
    UNION ALL
    SELECT n.queue, n.priority
    FROM groups g
    CROSS JOIN LATERAL (
        SELECT j.queue, j.priority
        FROM conveyor.queue_job j
        WHERE j.state = 'available'
          AND (j.queue, j.priority) > (g.queue, g.priority)
        ORDER BY j.queue, j.priority
        LIMIT 1) n
),
waiting AS (
    SELECT g.queue,
           least(sum(a.jobs), 1000) AS available,
           least(sum(d.scheduled), 1000) AS scheduled,
           least(sum(d.retryable), 1000) AS retryable,
           min(o.run_at) AS oldest_run_at
    FROM groups g
    CROSS JOIN t
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM (SELECT 1
              FROM conveyor.queue_job j
              WHERE j.state = 'available' AND j.queue = g.queue AND j.priority = g.priority
                AND j.run_at <= t.now
              ORDER BY j.run_at
              LIMIT 1000) r) a
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE r.attempt = 0) AS scheduled,
               count(*) FILTER (WHERE r.attempt > 0) AS retryable
        FROM (SELECT j.attempt
              FROM conveyor.queue_job j
              WHERE j.state = 'available' AND j.queue = g.queue AND j.priority = g.priority
                AND j.run_at > t.now
              ORDER BY j.run_at DESC
              LIMIT 1000) r) d
    LEFT JOIN LATERAL (
        SELECT j.run_at
        FROM conveyor.queue_job j
        WHERE j.state = 'available' AND j.queue = g.queue AND j.priority = g.priority
          AND j.run_at <= t.now
        ORDER BY j.run_at
        LIMIT 1) o ON true
    GROUP BY g.queue
),
dead_queues (queue) AS (
    (SELECT queue FROM conveyor.queue_job WHERE state = 'discarded' ORDER BY queue LIMIT 1)
    UNION ALL
    SELECT n.queue
    FROM dead_queues q
    CROSS JOIN LATERAL (
        SELECT j.queue
        FROM conveyor.queue_job j
        WHERE j.state = 'discarded' AND j.queue > q.queue
        ORDER BY j.queue
        LIMIT 1) n
),
dead AS (
    SELECT q.queue, c.jobs
    FROM dead_queues q
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM (SELECT 1 FROM conveyor.queue_job j
              WHERE j.state = 'discarded' AND j.queue = q.queue
              LIMIT 1000) r) c
),
running AS (
    SELECT queue, count(*) AS jobs
    FROM conveyor.queue_job
    WHERE state = 'running'
    GROUP BY queue
),
queues AS (
    SELECT queue FROM waiting
    UNION SELECT queue FROM dead
    UNION SELECT queue FROM running
    UNION SELECT queue FROM conveyor.queue_control
    UNION SELECT queue FROM conveyor.recurring_schedule
    UNION SELECT unnest(queues) FROM conveyor.worker_runtime
    UNION SELECT queue FROM conveyor.queue_throughput, t WHERE minute >= t.now - interval '1 hour'
)
SELECT q.queue,
       coalesce(w.available, 0) AS available,
       coalesce(w.scheduled, 0) AS scheduled,
       coalesce(w.retryable, 0) AS retryable,
       coalesce(r.jobs, 0) AS running,
       coalesce(d.jobs, 0) AS dead,
       extract(epoch FROM t.now - w.oldest_run_at) AS oldest_seconds,
       s.jobs AS sampled_available,
       s.estimated AS sampled_estimated,
       coalesce(c.paused_until > t.now, false) AS paused,
       c.paused_until,
       c.max_running,
       c.max_running_per_key,
       c.rate_limit,
       CAST(extract(epoch FROM c.rate_period) * 1000 AS bigint) AS rate_period_ms,
       (c.max_running IS NOT NULL AND coalesce(r.jobs, 0) >= c.max_running) AS at_max_running,
       (c.rate_limit IS NOT NULL AND (
           SELECT count(*)
           FROM (SELECT 1 FROM conveyor.queue_start_log l
                 WHERE l.queue = q.queue AND l.started_at > t.now - c.rate_period
                 LIMIT c.rate_limit) x) >= c.rate_limit) AS at_rate_limit
FROM queues q
CROSS JOIN t
LEFT JOIN waiting w ON w.queue = q.queue
LEFT JOIN dead d ON d.queue = q.queue
LEFT JOIN running r ON r.queue = q.queue
LEFT JOIN conveyor.queue_depth s ON s.queue = q.queue
LEFT JOIN conveyor.queue_control c ON c.queue = q.queue
ORDER BY q.queue
