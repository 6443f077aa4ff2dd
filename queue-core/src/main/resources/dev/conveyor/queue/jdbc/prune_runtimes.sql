-- prune_runtimes: delete the rows of runtimes that missed ten heartbeats (killed, or their host
-- gone), each by its own interval. Run by every runtime after its heartbeat: no sweeper needed.
-- Locks: the stale rows (a handful). Index: none (a row per runtime).
DELETE FROM conveyor.worker_runtime
WHERE heartbeat_at < now() - 10 * heartbeat_interval
