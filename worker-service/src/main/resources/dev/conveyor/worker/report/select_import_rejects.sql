-- voterImport: the rejected records for the summary, in file order, a slice of :limit after line
-- :after at a time (keyset), each one statement outside any transaction.
-- Lock: none. Index: import_staging_pkey (one job's range from :after; accepted records are
-- filtered out, so a whole import reads each staged row at most once).
SELECT line, reject_reason, fields::text AS fields
FROM import_staging
WHERE job_id = :jobId AND line > :after AND reject_reason IS NOT NULL
ORDER BY line
LIMIT :limit
