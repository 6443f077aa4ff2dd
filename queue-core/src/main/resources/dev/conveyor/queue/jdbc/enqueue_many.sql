-- enqueue_many: insert a batch of jobs in the caller's transaction and wake workers.
-- Locks: row locks on the new rows only. A unique key held by an in-flight insert of another
-- transaction makes ON CONFLICT wait for that transaction, then skip the row; the caller looks
-- the holder up afterwards (find_unfinished_by_keys.sql).
-- Index: queue_job_unique_key_idx (conflict inference: same column, same predicate).
-- NOTIFY: one per distinct queue with a job runnable now; PostgreSQL delivers it at commit and
-- drops it on rollback, so a rolled-back enqueue wakes nobody. None when :notify is false (the
-- caller wakes workers after commit itself, coalesced: see EnqueueNotifier).
WITH input AS (
    SELECT *
    FROM unnest(CAST(:queues AS text[]), CAST(:kinds AS text[]), CAST(:payloads AS text[]),
                CAST(:priorities AS int[]), CAST(:run_ats AS timestamptz[]),
                CAST(:max_attempts AS int[]), CAST(:unique_keys AS text[]),
                CAST(:partition_keys AS text[]), CAST(:trace_contexts AS text[]))
         WITH ORDINALITY AS t(queue, kind, payload, priority, run_at, max_attempts, unique_key,
                              partition_key, trace_context, ord)
),
inserted AS (
    INSERT INTO conveyor.queue_job
        (queue, kind, payload, priority, run_at, max_attempts, unique_key, partition_key,
         trace_context)
    -- ORDER BY ord: identities are drawn in input order, which the caller relies on to match
    -- returned rows to requests.
    SELECT queue, kind, CAST(payload AS jsonb), priority, coalesce(run_at, now()), max_attempts,
           unique_key, partition_key, trace_context
    FROM input
    ORDER BY ord
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running')
    DO NOTHING
    RETURNING *
),
woken AS (
    SELECT count(pg_notify('conveyor_job', queue)) AS n
    FROM (SELECT DISTINCT queue FROM inserted
          WHERE CAST(:notify AS boolean) AND run_at <= now()) q
)
SELECT inserted.* FROM inserted, woken
ORDER BY inserted.id
