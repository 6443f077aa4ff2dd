-- throughput: jobs completed and failed (discarded) per minute over the last hour, all queues or
-- one, from the rollup the depth sampler keeps (conveyor.queue_throughput); the newest minute is
-- up to a sampling period and a few seconds behind. Minutes without a finish have no row.
-- Locks: none. Index: queue_throughput_pkey (queue, minute); the table holds at most a day of
-- minutes per queue.
SELECT minute, sum(completed) AS completed, sum(failed) AS failed
FROM conveyor.queue_throughput
WHERE minute >= date_trunc('minute', now()) - interval '59 minutes'
  AND (CAST(:queue AS text) IS NULL OR queue = :queue)
GROUP BY minute
ORDER BY minute
