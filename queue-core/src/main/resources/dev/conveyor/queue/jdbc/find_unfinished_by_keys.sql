-- find_unfinished_by_keys: the unfinished jobs that hold these unique keys (an enqueue that
-- conflicted returns them instead of a duplicate).
-- Locks: none. Index: queue_job_unique_key_idx.
SELECT *
FROM conveyor.queue_job
WHERE unique_key = ANY (CAST(:keys AS text[]))
  AND state IN ('available', 'running')
