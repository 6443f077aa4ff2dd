-- find_by_id: one job. Locks: none. Index: queue_job_pkey.
SELECT * FROM conveyor.queue_job WHERE id = :id
