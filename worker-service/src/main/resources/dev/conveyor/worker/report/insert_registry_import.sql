-- voterImport: the audit row of an import and its progress row, inserted when every record is
-- staged and before the first slice of the upsert, in a short fenced transaction of their own:
-- status running, nothing applied yet (applied_line 0, counts 0). From then on every slice adds
-- to them in its own transaction, so every change to the registry is audited as it commits.
-- Records the key, the report, the uploaded file's SHA-256 (as stored with the upload) and the
-- county scope used (NULL: every county). No row when the upload is gone.
-- Lock: ROW EXCLUSIVE on registry_imports and registry_import_progress; FOR KEY SHARE on the
-- api_clients row (the foreign key).
-- Index: artifacts_pkey (the upload's hash); registry_imports_report_id_key and
-- registry_import_progress_pkey (a report imports once).
WITH audit AS (
    INSERT INTO registry_imports (client_id, report_id, upload_id, upload_sha256, counties,
                                  rows_read, inserted, updated, unchanged, rejected)
    SELECT :clientId, :reportId, a.id, a.sha256, CAST(:counties AS text[]), 0, 0, 0, 0, 0
    FROM artifacts a
    WHERE a.id = :uploadId
    RETURNING report_id
)
INSERT INTO registry_import_progress (report_id, job_id, status, applied_line)
SELECT report_id, :jobId, 'running', 0
FROM audit
