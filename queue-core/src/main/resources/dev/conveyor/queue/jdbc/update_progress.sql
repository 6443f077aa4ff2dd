-- update_progress: persist a running job's progress (0-100). Unindexed column: a HOT update.
-- Fenced on state and lease token. Locks: the one row. Index: queue_job_pkey.
UPDATE conveyor.queue_job
SET progress = :progress
WHERE id = :id
  AND state = 'running'
  AND lease_token = :token
