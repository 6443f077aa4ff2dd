-- delete_job: an operator removes a job that is not running (a running job is cancelled first, so
-- its handler is not left writing to a row that is gone; its writes would be fenced anyway).
-- Returns the deleted id; no row: not found or running.
-- Locks: the one row. Index: queue_job_pkey.
DELETE FROM conveyor.queue_job
WHERE id = :id
  AND state <> 'running'
RETURNING id
