-- GET /api/admin/registry-imports: one page of the registry import audit, newest first, after the
-- cursor (imported_at, id) of the previous page's last row (keyset: every page costs the same),
-- with the importing key's name and the import's status (voterImport applies in slices: running,
-- completed, cancelled or failed; an audit row without a progress row predates V118: completed).
-- Lock: none (reads committed rows only; the worker inserts them at the import's commit).
-- Index: registry_imports_imported_at_idx, read backwards; api_clients_pkey for the name;
-- registry_import_progress_pkey for the status.
SELECT i.id, i.client_id, c.name AS client_name, i.report_id, i.upload_id, i.upload_sha256,
       i.counties, i.rows_read, i.inserted, i.updated, i.unchanged, i.rejected, i.imported_at,
       coalesce(p.status, 'completed') AS status
FROM registry_imports i
JOIN api_clients c ON c.id = i.client_id
LEFT JOIN registry_import_progress p ON p.report_id = i.report_id
WHERE (i.imported_at, i.id) < (:importedAt, :id)
ORDER BY i.imported_at DESC, i.id DESC
LIMIT :limit
