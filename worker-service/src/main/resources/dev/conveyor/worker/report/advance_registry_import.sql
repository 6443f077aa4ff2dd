-- voterImport: one slice's counts added to the import's audit row and its applied line moved to
-- the slice's last, in the slice's transaction (with its upsert). Only from where the slice
-- started (:after): had another attempt applied a slice meanwhile, nothing is updated and the
-- slice rolls back, so no record is ever counted twice. Also (re)opens the import as running: an
-- attempt that ended it and died before its job ended left it cancelled or failed, and the job's
-- next attempt goes on.
-- Lock: the progress row and the audit row until commit. Index: registry_import_progress_pkey,
-- registry_imports_report_id_key.
WITH progress AS (
    UPDATE registry_import_progress
    SET applied_line = :lastLine, status = 'running'
    WHERE report_id = :reportId AND job_id = :jobId AND applied_line = :after
    RETURNING report_id
)
UPDATE registry_imports r
SET rows_read = r.rows_read + :read,
    inserted = r.inserted + :inserted,
    updated = r.updated + :updated,
    unchanged = r.unchanged + :unchanged,
    rejected = r.rejected + :rejected
FROM progress p
WHERE r.report_id = p.report_id
