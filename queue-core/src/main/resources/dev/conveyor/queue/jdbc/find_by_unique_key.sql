-- find_by_unique_key: the latest job that used this key, finished or not.
-- Locks: none. Index: queue_job_unique_key_lookup_idx.
SELECT * FROM conveyor.queue_job WHERE unique_key = :key ORDER BY id DESC LIMIT 1
