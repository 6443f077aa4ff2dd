-- The settler's sweep (ReportSettler) reads the unfinished reports in (created_at, id) order, a
-- bounded window at a time, continuing after the last key it examined (keyset), so a sweep costs
-- the same with 10 or 1,000,000 reports waiting. reports_unfinished_idx (V107, created_at only)
-- could neither continue after a key nor give the order without a sort; this one replaces it.
--
-- Partial on the unfinished statuses: a report leaves the index when it becomes final, so the
-- index holds only reports in flight (and any backlog). job_id is included so that the window is
-- read from the index alone (no visit to the report rows) once the visibility map allows.
CREATE INDEX reports_unfinished_created_id_idx ON reports (created_at, id) INCLUDE (job_id)
    WHERE status IN ('PENDING', 'PROCESSING');

DROP INDEX reports_unfinished_idx;
