-- find_queue_depth: the depth as the last sampler stored it (conveyor.queue_depth), for a process
-- that did not sample this period; a queue without a row had no runnable job.
-- Locks: none. Index: none (a row per queue).
SELECT queue, jobs, estimated, oldest_seconds
FROM conveyor.queue_depth
