-- voterImport: the audit row of an import, in the import's own transaction (so exactly the
-- committed imports have one): the key, the report, the uploaded file's SHA-256 (as stored with
-- the upload), the county scope used (NULL: every county) and the counts.
-- Lock: ROW EXCLUSIVE on registry_imports; FOR KEY SHARE on the api_clients row (the foreign key).
-- Index: artifacts_pkey (the upload's hash); registry_imports_report_id_key (a report imports
-- once).
INSERT INTO registry_imports (client_id, report_id, upload_id, upload_sha256, counties,
                              rows_read, inserted, updated, unchanged, rejected)
SELECT :clientId, :reportId, a.id, a.sha256, CAST(:counties AS text[]), :read, :inserted,
       :updated, :unchanged, :rejected
FROM artifacts a
WHERE a.id = :uploadId
