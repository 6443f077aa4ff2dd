-- count_by_queue_and_state: how many jobs each queue holds in each state.
-- Locks: none. Index: none (a full scan; the pruner bounds the table). For operators, not for
-- hot paths; metrics use count_available.sql.
SELECT queue, state, count(*) AS jobs
FROM conveyor.queue_job
GROUP BY queue, state
ORDER BY queue, state
