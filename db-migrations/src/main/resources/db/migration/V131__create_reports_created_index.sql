-- The console lists every client's reports newest first (keyset on created_at, id). The existing
-- indexes all lead with owner_id, so without this one the page sorts the whole table. A report
-- insert pays one more index entry; reports are written once per request, not per job attempt.
-- Plain CREATE INDEX, like V126: on a table of millions of reports, create it CONCURRENTLY by
-- hand before upgrading (IF NOT EXISTS then skips it).
CREATE INDEX IF NOT EXISTS reports_created_idx ON reports (created_at, id);
