-- voterImport: how many records a resuming attempt finds staged (its progress total).
-- Lock: none. Index: import_staging_pkey (an index-only range scan of one job's rows).
SELECT count(*)
FROM import_staging
WHERE job_id = :jobId
