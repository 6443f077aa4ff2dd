-- A report file is no longer written in the transaction that completes its job (issue 15: a long
-- report held one transaction open and PostgreSQL could vacuum nothing newer meanwhile). The
-- worker now inserts the artifact row and each chunk in short transactions of their own, and
-- only the last step marks the file stored, together with the job's completion. So a row can be
-- visible while its file is partial; these columns say which rows are whole and which attempt
-- is writing the others.
--
--   stored       true once the file is whole (size_bytes and sha256 final). Set by the worker
--                in the transaction that completes the report's job, never before: "job
--                completed and artifact stored" is the proof of a finished report (the API's
--                settler relies on it). Uploads, and every row written before this migration,
--                were whole when committed, hence the default.
--   job_id,      the queue job and the lease token of the attempt writing the file. Every chunk
--   lease_token  insert is fenced on them (conveyor.queue_job still running with that token), and
--                the worker's sweep deletes an unstored file whose attempt is no longer running
--                (died, failed, cancelled, lost its lease, or the job row is gone). No foreign
--                key: queue jobs are pruned while their reports' files stay.
ALTER TABLE artifacts
    ADD COLUMN stored      boolean NOT NULL DEFAULT true,
    ADD COLUMN job_id      bigint,
    ADD COLUMN lease_token uuid;

-- A file being written always names its attempt, and only a report is written that way (an
-- upload is stored whole by the API).
ALTER TABLE artifacts
    ADD CONSTRAINT artifacts_unstored_attempt_check
        CHECK (stored OR (kind = 'report' AND job_id IS NOT NULL AND lease_token IS NOT NULL));

-- The sweep's candidates: partial, so it holds only the files being written (a few per worker)
-- and the orphans of dead attempts, however many stored files the table keeps.
CREATE INDEX artifacts_unstored_idx ON artifacts (created_at) WHERE NOT stored;

COMMENT ON COLUMN artifacts.stored IS
    'true once the file is whole; a report''s is set in the transaction that completes its job.';
