-- The report a report.generate job produces: what to build and for whom.
-- Lock: none (the API re-checks the status when the worker's events arrive).
-- Index: reports_pkey.
SELECT id, owner_id, type, format, parameters::text AS parameters, status
FROM reports
WHERE id = :id
