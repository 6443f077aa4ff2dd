-- voterImport: the import's audit row and progress: none before the import starts applying;
-- otherwise the line applied up to and the counts so far, from which a retried or rescued attempt
-- resumes. An audit row without progress row is an import from before V118: completed.
-- Lock: none. Index: registry_imports_report_id_key, registry_import_progress_pkey.
SELECT coalesce(p.status, 'completed') AS status, p.job_id, p.applied_line, r.rows_read,
       r.inserted, r.updated, r.unchanged, r.rejected
FROM registry_imports r
LEFT JOIN registry_import_progress p ON p.report_id = r.report_id
WHERE r.report_id = :reportId
