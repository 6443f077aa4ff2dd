-- voterImport: the import's final status. completed in the transaction that stores the summary
-- and completes the job; cancelled or failed in the attempt's fenced transaction that enqueues
-- report.cancelled / report.failed. The audit row's counts stay what the applied slices made them.
-- Lock: the progress row until commit. Index: registry_import_progress_pkey.
UPDATE registry_import_progress
SET status = :status
WHERE report_id = :reportId AND job_id = :jobId AND status <> 'completed'
