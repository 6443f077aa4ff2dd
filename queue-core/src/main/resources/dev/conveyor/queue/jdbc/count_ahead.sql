-- count_ahead: how many available jobs of the same queue a claim would take before this one
-- (the claim orders by priority, run_at, id), counting at most {{max_ahead}} (written in as a
-- number, as in enqueue_one.sql). Null when the job is not available.
-- The bound matters on hot paths (an API answering "jobs ahead" per enqueue): an exact count
-- reads one index entry per waiting job, so its cost grows with the backlog; LIMIT stops the scan.
-- Locks: none. Index: queue_job_claim_idx (row comparison on its trailing columns).
-- enqueue_one.sql repeats this count for the row it inserts; keep the two in step.
SELECT (SELECT count(*)
        FROM (SELECT 1
              FROM conveyor.queue_job a
              WHERE a.state = 'available'
                AND a.queue = j.queue
                AND (a.priority, a.run_at, a.id) < (j.priority, j.run_at, j.id)
              LIMIT {{max_ahead}}) ahead) AS ahead
FROM conveyor.queue_job j
WHERE j.id = :id
  AND j.state = 'available'
