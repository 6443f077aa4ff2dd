-- list_reports: one page of every client's reports, newest first (keyset on created_at, id),
-- optionally of one status, with the client's name, duration and file size.
-- Locks: none. Index: reports_created_idx (created_at, id), read backwards from the keyset;
-- api_clients_pkey and artifacts_pkey per row of the page.
SELECT r.id, r.type, r.format, r.status, r.job_id, r.created_at, r.started_at, r.completed_at,
       c.name AS client, a.size_bytes,
       extract(epoch FROM coalesce(r.completed_at, now()) - coalesce(r.started_at, r.created_at))
           AS seconds
FROM reports r
JOIN api_clients c ON c.id = r.owner_id
LEFT JOIN artifacts a ON a.id = r.artifact_id
WHERE (CAST(:before_created AS timestamptz) IS NULL
       OR (r.created_at, r.id) < (CAST(:before_created AS timestamptz), CAST(:before_id AS uuid)))
  AND (CAST(:status AS text) IS NULL OR r.status = :status)
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit
