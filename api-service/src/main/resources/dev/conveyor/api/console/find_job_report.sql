-- find_job_report: the report a job produces, if it is a report job: its payload names the
-- report, and the report names the job back (a job that merely carries a reportId, such as a
-- webhook delivery, links to it as well, which is what an operator wants).
-- Locks: none. Index: reports_pkey.
SELECT r.id, r.type, r.format, r.status, r.created_at, r.completed_at, c.name AS client
FROM reports r
JOIN api_clients c ON c.id = r.owner_id
WHERE r.id = CAST(:report_id AS uuid)
