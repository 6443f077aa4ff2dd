-- Storage retention (issue 15): a completed report's file is deleted after its retention
-- (conveyor.api.retention.artifacts, 30 days), while the report row stays longer (90 days). The
-- row then says so instead of pointing at a file: artifact_id becomes NULL and
-- artifact_expired_at records when the file went, so that GET /api/reports/{id} shows
-- "artifactExpiredAt" and the download answers 410 Gone rather than 409 "not ready".
ALTER TABLE reports ADD COLUMN artifact_expired_at timestamptz;

-- The old rule "COMPLETED exactly when there is a file" becomes "COMPLETED exactly when there is
-- a file or there was one", and never both. Added NOT VALID, then validated: VALIDATE CONSTRAINT
-- scans the table under SHARE UPDATE EXCLUSIVE, so reports keep being written meanwhile
-- (ADD CONSTRAINT alone would hold ACCESS EXCLUSIVE for the whole scan).
ALTER TABLE reports DROP CONSTRAINT reports_artifact_check;
ALTER TABLE reports ADD CONSTRAINT reports_artifact_check
    CHECK ((status = 'COMPLETED') = (artifact_id IS NOT NULL OR artifact_expired_at IS NOT NULL)
           AND (artifact_id IS NULL OR artifact_expired_at IS NULL)) NOT VALID;
ALTER TABLE reports VALIDATE CONSTRAINT reports_artifact_check;

COMMENT ON COLUMN reports.artifact_expired_at IS 'When the report''s file was deleted after its retention (artifact_id is then NULL).';
