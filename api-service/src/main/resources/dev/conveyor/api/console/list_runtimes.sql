-- list_runtimes: the live worker runtimes (conveyor.worker_runtime), newest heartbeat first;
-- rows that missed ten heartbeats are pruned by the runtimes, and marked stale here after three.
-- Locks: none. Index: none (a row per runtime).
SELECT id, host, queues, slots, slots_in_use, started_at, heartbeat_at,
       heartbeat_at < now() - 3 * heartbeat_interval AS stale
FROM conveyor.worker_runtime
ORDER BY heartbeat_at DESC, id
