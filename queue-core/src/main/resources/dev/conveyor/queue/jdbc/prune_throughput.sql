-- prune_throughput: drop rollup minutes older than a day (the console shows the last hour).
-- Locks: those rows. Index: queue_throughput_pkey is (queue, minute): a short scan of a table of
-- at most a day of minutes per queue.
DELETE FROM conveyor.queue_throughput
WHERE minute < coalesce(CAST(:now AS timestamptz), now()) - interval '1 day'
