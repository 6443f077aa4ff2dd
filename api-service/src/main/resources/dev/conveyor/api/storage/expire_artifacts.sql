-- One batch of expired report files: completed reports whose file is older than the artifact
-- retention (completed_at < :cutoff) lose it. The report keeps its row and says when the file
-- went (artifact_id NULL, artifact_expired_at :now; reports_artifact_check allows exactly that),
-- and the artifacts row goes, its chunks with it (artifact_chunks ON DELETE CASCADE); the
-- client's storage count goes down by trigger (artifacts_count_storage).
--
-- Bounded twice: at most :batch reports, and the files' bytes up to :maxBytes (the first file
-- always, however large), so one transaction never deletes an unbounded amount of chunk data.
-- Reports locked by someone else (a late worker event holds one FOR UPDATE) are skipped and taken
-- by a later batch. Locked reports beyond the byte budget stay untouched until the commit.
--
-- Lock: the batch's reports rows (FOR UPDATE, SKIP LOCKED), the artifacts and artifact_chunks
-- rows deleted, the owners' client_storage rows (trigger). Index: reports_artifact_completed_idx
-- (partial: completed reports that still have a file, so expired ones are never walked again),
-- then artifacts_pkey, artifact_chunks_pkey and reports_artifact_idx (the foreign key's check).
-- The write finds the CTE's locked rows by key (= ANY(array)), never by a join that a custom
-- plan for a large :batch could turn into a scan of the whole table (see the queue's
-- complete_many.sql and docs/design-notes-queue.md, session 10).
WITH locked AS MATERIALIZED (
    SELECT r.id, r.artifact_id, r.completed_at
    FROM reports r
    WHERE r.artifact_id IS NOT NULL
      AND r.completed_at < :cutoff
    ORDER BY r.completed_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
),
chosen AS MATERIALIZED (
    SELECT id, artifact_id
    FROM (SELECT l.id, l.artifact_id,
                 sum(a.size_bytes) OVER (ORDER BY l.completed_at, l.id) - a.size_bytes AS before
          FROM locked l
          JOIN artifacts a ON a.id = l.artifact_id) sized
    WHERE before < :maxBytes
),
cleared AS (
    UPDATE reports r
    SET artifact_id = NULL, artifact_expired_at = :now
    WHERE r.id = ANY (ARRAY(SELECT id FROM chosen))
    RETURNING r.id
)
DELETE FROM artifacts a
WHERE a.id = ANY (ARRAY(SELECT c.artifact_id FROM cleared JOIN chosen c ON c.id = cleared.id))
