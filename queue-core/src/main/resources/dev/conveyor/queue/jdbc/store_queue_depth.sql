-- store_queue_depth: replace the stored depth with this sample (after claim_depth_sample.sql, in
-- its transaction): one row per queue with runnable jobs; other queues' rows are deleted.
-- Locks: the rows of conveyor.queue_depth (a handful), written only by the sampling-lock holder.
-- Index: queue_depth_pkey.
WITH sample AS (
    SELECT *
    FROM unnest(CAST(:queues AS text[]), CAST(:jobs AS bigint[]), CAST(:estimated AS boolean[]),
                CAST(:oldest_seconds AS float8[])) AS s(queue, jobs, estimated, oldest_seconds)
),
gone AS (
    DELETE FROM conveyor.queue_depth d
    WHERE NOT EXISTS (SELECT 1 FROM sample s WHERE s.queue = d.queue)
)
INSERT INTO conveyor.queue_depth (queue, jobs, estimated, oldest_seconds)
SELECT queue, jobs, estimated, oldest_seconds
FROM sample
ON CONFLICT (queue) DO UPDATE
SET jobs           = excluded.jobs,
    estimated      = excluded.estimated,
    oldest_seconds = excluded.oldest_seconds
