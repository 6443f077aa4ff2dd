-- count_available: per queue, the jobs runnable now and the age of the oldest (the depth gauges),
-- at a cost that does not grow with the backlog: each queue's count stops after {{count_limit}}
-- rows (written in as a number, the sampler's exact limit + 1), so a queue with more is only
-- known to have "more than the limit" here and the sampler asks the planner for an estimate
-- (estimate_available.sql). A queue with no runnable job yields no row.
-- How: a recursive walk visits each (queue, priority) group of the claim index once, jumping
-- from one group to the next with one index descent (a "loose index scan"; PostgreSQL 17 has no
-- skip scan). In a group, the runnable jobs (run_at <= now) are a leading range of the index,
-- so delayed jobs are never read; the group's first entry is its oldest runnable job, and the
-- count reads at most what is left of the queue's budget ({{count_limit}} rows per queue).
-- Cost: one to three descents per group plus at most {{count_limit}} index entries per queue.
-- ORDER BY run_at in the counts keeps the planner on the index: with a bare LIMIT it may expect
-- to find the rows sooner in a sequential scan of the table, which then reads all of it.
-- Locks: none. Index: queue_job_claim_idx (queue, priority, run_at, id) WHERE state = 'available'.
WITH RECURSIVE t AS MATERIALIZED (
    SELECT coalesce(CAST(:now AS timestamptz), now()) AS now
),
walk (queue, priority, jobs, budget, oldest) AS (
    SELECT f.queue, f.priority, c.jobs, {{count_limit}} - c.jobs, o.run_at
    FROM (SELECT queue, priority
          FROM conveyor.queue_job
          WHERE state = 'available'
          ORDER BY queue, priority
          LIMIT 1) f
    CROSS JOIN t
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM (SELECT 1
              FROM conveyor.queue_job j
              WHERE j.state = 'available' AND j.queue = f.queue AND j.priority = f.priority
                AND j.run_at <= t.now
              ORDER BY j.run_at
              LIMIT {{count_limit}}) r) c
    LEFT JOIN LATERAL (
        SELECT j.run_at
        FROM conveyor.queue_job j
        WHERE j.state = 'available' AND j.queue = f.queue AND j.priority = f.priority
          AND j.run_at <= t.now
        ORDER BY j.run_at
        LIMIT 1) o ON true
    UNION ALL
    SELECT n.queue, n.priority, c.jobs, n.budget - c.jobs, o.run_at
    FROM walk w
    CROSS JOIN t
    CROSS JOIN LATERAL (
        -- The next group; the budget carries over within a queue and starts afresh with the next.
        SELECT j.queue, j.priority,
               CASE WHEN j.queue = w.queue THEN w.budget ELSE {{count_limit}} END AS budget
        FROM conveyor.queue_job j
        WHERE j.state = 'available'
          AND (j.queue, j.priority) > (w.queue, w.priority)
        ORDER BY j.queue, j.priority
        LIMIT 1) n
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM (SELECT 1
              FROM conveyor.queue_job j
              WHERE j.state = 'available' AND j.queue = n.queue AND j.priority = n.priority
                AND j.run_at <= t.now
              ORDER BY j.run_at
              LIMIT n.budget) r) c
    LEFT JOIN LATERAL (
        SELECT j.run_at
        FROM conveyor.queue_job j
        WHERE j.state = 'available' AND j.queue = n.queue AND j.priority = n.priority
          AND j.run_at <= t.now
        ORDER BY j.run_at
        LIMIT 1) o ON true
)
SELECT w.queue,
       sum(w.jobs) AS jobs,
       coalesce(extract(epoch FROM (SELECT now FROM t) - min(w.oldest)), 0) AS oldest_seconds
FROM walk w
GROUP BY w.queue
HAVING sum(w.jobs) > 0
