-- estimate_available: the query planner's estimate of one queue's jobs runnable now, for a queue
-- whose bounded count (count_available.sql) reached its limit. EXPLAIN only plans the query, so
-- this costs the same with a thousand waiting jobs or a million. The estimate comes from the
-- table's statistics (kept fresh by autovacuum's analyze, see V002) and its current size; it
-- assumes the queue, the state and run_at independent, so it can be off by a fair fraction.
-- Locks: none. Index: none read (planning only).
EXPLAIN (FORMAT JSON)
SELECT 1
FROM conveyor.queue_job
WHERE state = 'available'
  AND queue = :queue
  AND run_at <= coalesce(CAST(:now AS timestamptz), now())
