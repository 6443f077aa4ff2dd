-- GET /api/admin/registry-imports: one page of the registry import audit, newest first, after the
-- cursor (imported_at, id) of the previous page's last row (keyset: every page costs the same),
-- with the importing key's name.
-- Lock: none (reads committed rows only; the worker inserts them at the import's commit).
-- Index: registry_imports_imported_at_idx, read backwards; api_clients_pkey for the name.
SELECT i.id, i.client_id, c.name AS client_name, i.report_id, i.upload_id, i.upload_sha256,
       i.counties, i.rows_read, i.inserted, i.updated, i.unchanged, i.rejected, i.imported_at
FROM registry_imports i
JOIN api_clients c ON c.id = i.client_id
WHERE (i.imported_at, i.id) < (:importedAt, :id)
ORDER BY i.imported_at DESC, i.id DESC
LIMIT :limit
