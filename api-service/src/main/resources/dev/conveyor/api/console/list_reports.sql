-- list_reports: one page of every client's reports, newest first, optionally of one status, with
-- the client's name, duration and file size. Report ids are UUID version 7 (ReportIds: time
-- first), so id order is creation order and the keyset is the id alone.
-- Locks: none. Index: reports_pkey read backwards from the cursor (no index for the console: one
-- on (created_at, id) made the settler's find_unsettled.sql leave its partial index);
-- api_clients_pkey and artifacts_pkey per row of the page.
SELECT r.id, r.type, r.format, r.status, r.job_id, r.created_at, r.started_at, r.completed_at,
       c.name AS client, a.size_bytes,
       extract(epoch FROM coalesce(r.completed_at, now()) - coalesce(r.started_at, r.created_at))
           AS seconds
FROM reports r
JOIN api_clients c ON c.id = r.owner_id
LEFT JOIN artifacts a ON a.id = r.artifact_id
WHERE (CAST(:before_id AS uuid) IS NULL OR r.id < CAST(:before_id AS uuid))
  AND (CAST(:status AS text) IS NULL OR r.status = :status)
ORDER BY r.id DESC
LIMIT :limit
