-- Which report a stored report file belongs to, so that the API can settle a report from the
-- database when its worker's report.completed callback never arrives (ReportSettler): the job
-- completed and its file is stored means COMPLETED with that file.
--
-- The worker writes report_id in the statement that marks the file stored
-- (mark_artifact_stored.sql), in the transaction that also completes the job and enqueues the
-- callback. So a non-null report_id is itself the fact "this report's file is whole", however the
-- chunks were written before; rows of an unfinished or failed attempt keep it NULL (as do uploads
-- and files stored by workers older than this column).
--
-- No foreign key to reports: its check would lock the report row (FOR KEY SHARE) from the worker's
-- completing transaction, which should not wait on the API's report locks, and report retention
-- must stay free to delete report rows. The API reads the column only for reports that exist.
ALTER TABLE artifacts ADD COLUMN report_id uuid;

-- One stored file per report (a report's job completes once), and the settler's look-up by report.
-- Partial: uploads and unfinished files are not in it.
CREATE UNIQUE INDEX artifacts_report_id_key ON artifacts (report_id) WHERE report_id IS NOT NULL;

COMMENT ON COLUMN artifacts.report_id IS 'The report whose stored file this is; set when the file is marked stored, in the transaction that completes the report''s job.';
