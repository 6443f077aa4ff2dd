-- The sweep: up to :batch unstored files whose attempt no longer holds its job (the job is not
-- running with the lease token on the file: it completed without this file, failed, was
-- cancelled, was rescued, or its row was pruned), oldest first, deleted with their chunks (ON
-- DELETE CASCADE). Run by every worker replica; concurrent runs take disjoint rows (SKIP LOCKED),
-- and a file a writer is touching right now (its chunk insert holds KEY SHARE) is skipped and
-- taken at a later run. A file whose attempt is still running is never a candidate, and the
-- attempt's final transaction sets stored and completes the job together, so no snapshot sees a
-- completed job with an unstored file of that attempt.
-- Lock: FOR UPDATE on the chosen artifact rows, then the deleted chunks. Index:
-- artifacts_unstored_idx (partial: only unstored files), queue_job_pkey for the attempt's job,
-- artifact_chunks_pkey for the cascade.
-- The write finds the CTE's locked rows by key (= ANY(array)), never by a join that a custom
-- plan for a large :batch could turn into a scan of the whole table (see the queue's
-- complete_many.sql and docs/design-notes-queue.md, session 10).
WITH doomed AS MATERIALIZED (
    SELECT a.id
    FROM artifacts a
    WHERE NOT a.stored
      AND NOT EXISTS (SELECT 1
                      FROM conveyor.queue_job j
                      WHERE j.id = a.job_id
                        AND j.state = 'running'
                        AND j.lease_token = a.lease_token)
    ORDER BY a.created_at
    LIMIT :batch
    FOR UPDATE OF a SKIP LOCKED
)
DELETE FROM artifacts a
WHERE a.id = ANY (ARRAY(SELECT id FROM doomed))
