-- count_available: per queue, the jobs runnable now and the age of the oldest (metrics gauges).
-- Locks: none. Index: queue_job_claim_idx (partial: only available rows are read).
SELECT queue,
       count(*) AS jobs,
       coalesce(extract(epoch FROM coalesce(CAST(:now AS timestamptz), now()) - min(run_at)), 0) AS oldest_seconds
FROM conveyor.queue_job
WHERE state = 'available'
  AND run_at <= coalesce(CAST(:now AS timestamptz), now())
GROUP BY queue
