-- The SQL enqueue functions learn the trace context (V013), so a producer in any language can
-- continue its own trace in the worker: pass its W3C traceparent as
--   trace_context => 'traceparent: 00-<trace id>-<span id>-01'
-- A new parameter would add an overload next to the old function and make named calls ambiguous,
-- so the old one is replaced (as V005 did for partition_key).
DROP FUNCTION conveyor.enqueue(text, jsonb, text, integer, timestamptz, integer, text, text);

CREATE FUNCTION conveyor.enqueue(
    kind         text,
    payload      jsonb       DEFAULT '{}',
    queue        text        DEFAULT 'default',
    priority     integer     DEFAULT 0,
    run_at       timestamptz DEFAULT NULL,
    max_attempts integer     DEFAULT 20,
    unique_key   text        DEFAULT NULL,
    partition_key text       DEFAULT NULL,
    trace_context text       DEFAULT NULL)
RETURNS conveyor.queue_job
LANGUAGE plpgsql
VOLATILE
AS $$
#variable_conflict use_column
DECLARE
    job conveyor.queue_job;
BEGIN
    LOOP
        INSERT INTO conveyor.queue_job
            (queue, kind, payload, priority, run_at, max_attempts, unique_key, partition_key,
             trace_context)
        VALUES (coalesce(enqueue.queue, 'default'), enqueue.kind, coalesce(enqueue.payload, '{}'),
                coalesce(enqueue.priority, 0), coalesce(enqueue.run_at, now()),
                coalesce(enqueue.max_attempts, 20), enqueue.unique_key, enqueue.partition_key,
                enqueue.trace_context)
        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running')
        DO NOTHING
        RETURNING * INTO job;
        IF FOUND THEN
            -- A delayed job is found by the workers' poll; waking them now would find nothing.
            IF job.run_at <= now() THEN
                PERFORM pg_notify('conveyor_job', job.queue);
            END IF;
            RETURN job;
        END IF;
        -- ON CONFLICT waited for the holder's transaction, so a committed holder is visible to
        -- this new statement (READ COMMITTED takes a fresh snapshot per statement).
        SELECT * INTO job FROM conveyor.queue_job q
        WHERE q.unique_key = enqueue.unique_key AND q.state IN ('available', 'running');
        IF FOUND THEN
            RETURN job;
        END IF;
        -- The holder finished between the two statements and freed the key: insert again.
    END LOOP;
END
$$;

COMMENT ON FUNCTION conveyor.enqueue(text, jsonb, text, integer, timestamptz, integer, text, text, text) IS
    'Enqueue one job in the caller''s transaction; returns the new job, or the unfinished job that holds unique_key.';

-- Many jobs in one call: a JSON array of objects with the same keys as conveyor.enqueue's
-- parameters (kind is required). Returns one row per element, in order.
--
--   SELECT id FROM conveyor.enqueue_batch('[{"kind": "a"}, {"kind": "b", "priority": 1}]');
CREATE OR REPLACE FUNCTION conveyor.enqueue_batch(jobs jsonb)
RETURNS SETOF conveyor.queue_job
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    spec jsonb;
BEGIN
    IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'conveyor.enqueue_batch expects a JSON array of job objects'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR spec IN SELECT value FROM jsonb_array_elements(jobs) WITH ORDINALITY ORDER BY ordinality LOOP
        IF spec->>'kind' IS NULL THEN
            RAISE EXCEPTION 'conveyor.enqueue_batch: every job needs a "kind"'
                USING ERRCODE = 'not_null_violation';
        END IF;
        RETURN NEXT conveyor.enqueue(
            kind         => spec->>'kind',
            payload      => coalesce(spec->'payload', '{}'),
            queue        => coalesce(spec->>'queue', 'default'),
            priority     => coalesce((spec->>'priority')::integer, 0),
            run_at       => (spec->>'run_at')::timestamptz,
            max_attempts => coalesce((spec->>'max_attempts')::integer, 20),
            unique_key   => spec->>'unique_key',
            partition_key => spec->>'partition_key',
            trace_context => spec->>'trace_context');
    END LOOP;
END
$$;

COMMENT ON FUNCTION conveyor.enqueue_batch(jsonb) IS
    'Enqueue a JSON array of jobs in the caller''s transaction, one conveyor.enqueue per element.';
