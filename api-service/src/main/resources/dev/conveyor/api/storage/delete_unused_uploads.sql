-- Deletes the uploads lock_unused_uploads.sql locked in this transaction, checking again, in
-- this statement's newer snapshot, that no report needs them (see there). Chunks go by cascade;
-- the client's storage count goes down by trigger (artifacts_count_storage).
-- Lock: the artifacts rows (already held) and their chunks. Index: artifacts_pkey,
-- reports_upload_idx, queue_job_pkey, artifact_chunks_pkey (cascade), reports_artifact_idx (the
-- foreign key's check).
DELETE FROM artifacts a
WHERE a.id IN (:ids)
  AND a.kind = 'upload'
  AND NOT EXISTS (
      SELECT 1
      FROM reports r
      WHERE r.type = 'voterImport'
        AND r.parameters ->> 'uploadId' = a.id::text
        AND (r.status IN ('PENDING', 'PROCESSING')
             OR EXISTS (SELECT 1 FROM conveyor.queue_job j
                        WHERE j.id = r.job_id AND j.state IN ('available', 'running'))))
