-- voterImport: one batch of rejected records (line, reason, the fields as read as a JSON array)
-- into the staging table, in the batch's own short transaction (fenced, as copy_import_voters.sql).
-- Lock: ROW EXCLUSIVE on import_staging; the new rows. Index: import_staging_pkey.
COPY import_staging (job_id, line, reject_reason, fields)
FROM STDIN (FORMAT csv)
