-- Storage retention (issue 15): the indexes the API's retention sweep (RetentionSweeper) reads,
-- so that each of its batches reads only the rows it deletes, however many rows the tables hold.
-- Plain CREATE INDEX, like V107: on a table of millions of reports run
-- CREATE INDEX CONCURRENTLY by hand before this migration (the names match, and IF NOT EXISTS
-- then skips them).

-- Completed reports that still have a file, oldest first: the file expires
-- conveyor.api.retention.artifacts after completed_at. Partial, so a report leaves the index once
-- its file is gone and the sweep never walks over the already-expired ones.
CREATE INDEX IF NOT EXISTS reports_artifact_completed_idx ON reports (completed_at)
    WHERE artifact_id IS NOT NULL;

-- Final reports without a file (failed, cancelled, or completed and their file expired), oldest
-- first: a row is deleted conveyor.api.retention.reports after completed_at. Disjoint from the
-- index above, so that neither sweep can be planned over the other's index (with both on
-- completed_at alone the planner may pick either, and the file sweep would then walk over every
-- report whose file is already gone). A report with a file past the report retention is also past
-- the (shorter) artifact retention, so the file sweep, which runs first, moves it here.
CREATE INDEX IF NOT EXISTS reports_final_idx ON reports (completed_at)
    WHERE completed_at IS NOT NULL AND artifact_id IS NULL;

-- reports.artifact_id had no index: deleting an artifact makes PostgreSQL check
-- reports_artifact_fkey with "SELECT ... FROM reports WHERE artifact_id = $1", a sequential scan
-- of reports for every deleted artifact without it. Partial: most rows have none.
CREATE INDEX IF NOT EXISTS reports_artifact_idx ON reports (artifact_id)
    WHERE artifact_id IS NOT NULL;

-- The voterImport reports naming an upload (parameters.uploadId, a canonical lower-case UUID as
-- the API normalizes it): an upload is kept while such a report or its job is unfinished.
CREATE INDEX IF NOT EXISTS reports_upload_idx ON reports ((parameters ->> 'uploadId'))
    WHERE type = 'voterImport';

-- Uploads, oldest first: an unused upload is deleted conveyor.api.retention.uploads after it was
-- stored. Partial: report files are found through reports.
CREATE INDEX IF NOT EXISTS artifacts_upload_created_idx ON artifacts (created_at)
    WHERE kind = 'upload';
