-- count_ahead: how many available jobs of the same queue a claim would take before this one
-- (the claim orders by priority, run_at, id). Null when the job is not available.
-- Locks: none. Index: queue_job_claim_idx (row comparison on its trailing columns).
SELECT (SELECT count(*)
        FROM conveyor.queue_job a
        WHERE a.state = 'available'
          AND a.queue = j.queue
          AND (a.priority, a.run_at, a.id) < (j.priority, j.run_at, j.id)) AS ahead
FROM conveyor.queue_job j
WHERE j.id = :id
  AND j.state = 'available'
