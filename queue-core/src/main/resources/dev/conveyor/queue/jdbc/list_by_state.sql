-- list_by_state: one page of jobs in a state, newest first, optionally of one queue, keyset
-- paginated on id. Locks: none. Index: queue_job_discarded_idx for dead jobs, else the pkey.
SELECT *
FROM conveyor.queue_job
WHERE state = :state
  AND (CAST(:queue AS text) IS NULL OR queue = :queue)
  AND id < :before_id
ORDER BY id DESC
LIMIT :limit
