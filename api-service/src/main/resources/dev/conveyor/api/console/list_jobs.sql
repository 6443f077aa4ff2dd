-- list_jobs: one page of jobs newest first (keyset: id < :before_id), filtered by any of queue,
-- state, kind, unique key and creation time. {{state}} is "" or "AND state = '<state>'" written
-- in from the JobState enum (never user text), so that the planner sees the constant and picks
-- the partial index for it in every plan, generic or not.
-- Index, by filter (pinned by ConsolePlanTests at 1,000,000 jobs):
--   unique key: queue_job_unique_key_lookup_idx (unique_key, id);
--   dead (and queue): queue_job_discarded_idx (queue, id); running: queue_job_running_idx;
--   otherwise queue_job_pkey read backwards from :before_id, the filters applied to the rows
--   read; a filter that matches few of the newest jobs reads more rows per page.
-- Locks: none.
SELECT id, queue, kind, state, priority, attempt, max_attempts, unique_key, run_at, created_at,
       started_at, finalized_at, lease_owner, progress
FROM conveyor.queue_job
WHERE id < :before_id
  {{state}}
  AND (CAST(:queue AS text) IS NULL OR queue = :queue)
  AND (CAST(:kind AS text) IS NULL OR kind = :kind)
  AND (CAST(:unique_key AS text) IS NULL OR unique_key = :unique_key)
  AND (CAST(:created_from AS timestamptz) IS NULL OR created_at >= :created_from)
  AND (CAST(:created_to AS timestamptz) IS NULL OR created_at < :created_to)
ORDER BY id DESC
LIMIT :limit
