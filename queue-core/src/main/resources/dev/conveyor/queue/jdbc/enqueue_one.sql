-- enqueue_one: insert one job in the caller's transaction and wake workers; the common case,
-- kept free of the batch statement's arrays. Returns no row when an unfinished job holds the
-- unique key (ON CONFLICT waited for that job's transaction if it was in flight); the caller
-- then looks the holder up.
-- Locks: the new row. Index: queue_job_unique_key_idx (conflict inference).
-- NOTIFY: delivered at commit, dropped on rollback; not sent for a delayed job, nor when :notify
-- is false (the caller wakes workers after commit itself, coalesced: see EnqueueNotifier).
-- ahead: with {{max_ahead}} > 0, what count_ahead.sql answers for the new job (available jobs of
-- its queue that a claim takes first, at most {{max_ahead}}), without a second round trip; with 0
-- the planner drops the scalar subquery, so a plain enqueue pays nothing for it.
-- {{max_ahead}} is written in as a number by JobRepository (see bound() there), not bound: a LIMIT
-- parameter would make PostgreSQL re-plan this statement on every call once a backlog exists.
WITH inserted AS (
    INSERT INTO conveyor.queue_job
        (queue, kind, payload, priority, run_at, max_attempts, unique_key, partition_key,
         trace_context)
    VALUES (:queue, :kind, CAST(:payload AS jsonb), :priority,
            coalesce(CAST(:run_at AS timestamptz), now()), :max_attempts,
            CAST(:unique_key AS text), CAST(:partition_key AS text),
            CAST(:trace_context AS text))
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running')
    DO NOTHING
    RETURNING *
)
SELECT inserted.*,
       CASE WHEN CAST(:notify AS boolean) AND run_at <= now()
            THEN pg_notify('conveyor_job', queue) END AS woken,
       CASE WHEN {{max_ahead}} > 0
            THEN (SELECT count(*)
                  FROM (SELECT 1
                        FROM conveyor.queue_job a
                        WHERE a.state = 'available'
                          AND a.queue = inserted.queue
                          AND (a.priority, a.run_at, a.id)
                              < (inserted.priority, inserted.run_at, inserted.id)
                        LIMIT {{max_ahead}}) ahead) END AS ahead
FROM inserted
