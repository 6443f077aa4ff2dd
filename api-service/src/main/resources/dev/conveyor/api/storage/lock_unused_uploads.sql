-- One batch of unused uploads, locked: uploads stored before :cutoff that no report still needs.
-- A report needs its upload (parameters.uploadId) while it is unfinished, or while its queue job
-- is (an operator may retry a failed report's job, which reads the upload again).
--
-- A submission naming an upload locks that upload (FOR KEY SHARE) in its transaction, so SKIP
-- LOCKED passes over uploads being submitted right now; delete_unused_uploads.sql then checks
-- the locked ones again in a new snapshot, which sees every submission that committed before
-- this lock was taken. Together no upload a committed report names is ever deleted, and a
-- submission that comes after the delete finds no upload (422).
--
-- Lock: the batch's artifacts rows (FOR UPDATE, SKIP LOCKED). Index: artifacts_upload_created_idx
-- (partial on kind = 'upload'), reports_upload_idx for the check, queue_job_pkey.
SELECT a.id
FROM artifacts a
WHERE a.kind = 'upload'
  AND a.created_at < :cutoff
  AND NOT EXISTS (
      SELECT 1
      FROM reports r
      WHERE r.type = 'voterImport'
        AND r.parameters ->> 'uploadId' = a.id::text
        AND (r.status IN ('PENDING', 'PROCESSING')
             OR EXISTS (SELECT 1 FROM conveyor.queue_job j
                        WHERE j.id = r.job_id AND j.state IN ('available', 'running'))))
ORDER BY a.created_at
LIMIT :batch
FOR UPDATE OF a SKIP LOCKED
