-- queue_demand: how many workers the queues need right now, for KEDA's postgresql scaler
-- (keda.yaml: target 1 per replica, so this number is the replica count KEDA asks for).
-- kustomize puts this file, as it is, into the ScaledObject's query; WorkerScalingQueryTests runs
-- the same file against PostgreSQL with 1,000,000 jobs.
--
-- Per queue the worker serves (the VALUES below: queue, slots = conveyor.worker.queues.<queue>
-- of one worker; keep them equal to the worker ConfigMap, which KubernetesManifestTests checks):
--   demand = running jobs + jobs that could start now, and workers = ceil(demand / slots);
-- the answer is the largest of those (each worker runs every queue, so the busiest queue decides).
--   * counted as "could start now": state 'available' and run_at <= now(); never a job scheduled
--     later or backing off a retry (a worker started for it would sit idle until then; it counts
--     once it is due);
--   * running jobs count too: a worker that holds one must not be scaled away while it runs (KEDA
--     would stop it and its jobs would be handed back), and a running job whose worker died keeps
--     one worker up to rescue it;
--   * a paused queue (queue_control.paused_until in the future) adds only its running jobs, and a
--     queue with max_running adds at most the jobs that limit still lets start; rate limits and
--     per-key limits are not modelled (they only make the answer an upper bound);
--   * queues the worker does not serve are not counted at all.
-- Cost: the available jobs are counted per (queue, priority) group of the claim index, walked
-- with one index descent per group (a loose index scan, as count_available.sql does), each group
-- stopping after 1,000 entries, so the statement reads at most a few thousand index entries
-- whatever the backlog (1,000 per group is 250 workers of 4 slots: raise it only for more).
-- Running jobs are bounded by the slots of the running workers.
-- Locks: none (a plain read). Index: queue_job_claim_idx (queue, priority, run_at, id) WHERE
-- state = 'available'; queue_job_running_idx (id) WHERE state = 'running'; queue_control_pkey.
WITH RECURSIVE served (queue, slots) AS (
    VALUES ('reports', 4), ('callbacks', 8), ('webhooks', 4)
),
groups (queue, priority) AS (
    SELECT s.queue,
           (SELECT j.priority
            FROM conveyor.queue_job j
            WHERE j.state = 'available' AND j.queue = s.queue
            ORDER BY j.priority
            LIMIT 1)
    FROM served s
    UNION ALL
    SELECT g.queue,
           (SELECT j.priority
            FROM conveyor.queue_job j
            WHERE j.state = 'available' AND j.queue = g.queue AND j.priority > g.priority
            ORDER BY j.priority
            LIMIT 1)
    FROM groups g
    WHERE g.priority IS NOT NULL
),
available (queue, jobs) AS (
    SELECT g.queue, sum(c.jobs)
    FROM groups g
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM (SELECT 1
              FROM conveyor.queue_job j
              WHERE j.state = 'available' AND j.queue = g.queue AND j.priority = g.priority
                AND j.run_at <= now()
              ORDER BY j.run_at
              LIMIT 1000) due) c
    WHERE g.priority IS NOT NULL
    GROUP BY g.queue
),
demand (queue, slots, jobs) AS (
    SELECT s.queue, s.slots,
           r.jobs + CASE
                        WHEN c.paused_until > now() THEN 0
                        WHEN c.max_running IS NOT NULL
                            THEN least(coalesce(a.jobs, 0), greatest(c.max_running - r.jobs, 0))
                        ELSE coalesce(a.jobs, 0)
                    END
    FROM served s
    LEFT JOIN available a ON a.queue = s.queue
    LEFT JOIN conveyor.queue_control c ON c.queue = s.queue
    CROSS JOIN LATERAL (
        SELECT count(*) AS jobs
        FROM conveyor.queue_job j
        WHERE j.state = 'running' AND j.queue = s.queue) r
)
SELECT coalesce(max(ceil(jobs / CAST(slots AS numeric))), 0)::integer AS workers
FROM demand
