-- The sweep: the import of a job that ended without its attempt ending the import (the process
-- was killed and the job then cancelled or discarded, or its row pruned) gets its final status,
-- before the job's staging rows are deleted: cancelled when the job was cancelled, failed
-- otherwise. The audit row's counts stay what the applied slices made them.
-- Lock: the progress row until commit. Index: registry_import_progress_running_job_idx (partial).
UPDATE registry_import_progress
SET status = CASE WHEN CAST(:jobState AS text) = 'cancelled' THEN 'cancelled' ELSE 'failed' END
WHERE job_id = :jobId AND status = 'running'
