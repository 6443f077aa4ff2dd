-- Enqueue from SQL: psql, a trigger, or a producer in any language with one short connection.
-- Same semantics as queue-core's Java enqueue: joins the caller's transaction, returns the
-- existing unfinished job for a taken unique key, and wakes workers with the same NOTIFY
-- (channel conveyor_job, payload = queue name; delivered only when the transaction commits).
--
--   SELECT * FROM conveyor.enqueue('report.generate', '{"id": 1}');
--   SELECT * FROM conveyor.enqueue(kind => 'email.send', queue => 'mail', unique_key => 'welcome:42');
CREATE FUNCTION conveyor.enqueue(
    kind         text,
    payload      jsonb       DEFAULT '{}',
    queue        text        DEFAULT 'default',
    priority     integer     DEFAULT 0,
    run_at       timestamptz DEFAULT NULL,
    max_attempts integer     DEFAULT 20,
    unique_key   text        DEFAULT NULL)
RETURNS conveyor.queue_job
LANGUAGE plpgsql
VOLATILE
AS $$
#variable_conflict use_column
DECLARE
    job conveyor.queue_job;
BEGIN
    LOOP
        INSERT INTO conveyor.queue_job (queue, kind, payload, priority, run_at, max_attempts, unique_key)
        VALUES (coalesce(enqueue.queue, 'default'), enqueue.kind, coalesce(enqueue.payload, '{}'),
                coalesce(enqueue.priority, 0), coalesce(enqueue.run_at, now()),
                coalesce(enqueue.max_attempts, 20), enqueue.unique_key)
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

COMMENT ON FUNCTION conveyor.enqueue(text, jsonb, text, integer, timestamptz, integer, text) IS
    'Enqueue one job in the caller''s transaction; returns the new job, or the unfinished job that holds unique_key.';

-- Many jobs in one call: a JSON array of objects with the same keys as conveyor.enqueue's
-- parameters (kind is required). Returns one row per element, in order.
--
--   SELECT id FROM conveyor.enqueue_batch('[{"kind": "a"}, {"kind": "b", "priority": 1}]');
CREATE FUNCTION conveyor.enqueue_batch(jobs jsonb)
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
            unique_key   => spec->>'unique_key');
    END LOOP;
END
$$;

COMMENT ON FUNCTION conveyor.enqueue_batch(jsonb) IS
    'Enqueue a JSON array of jobs in the caller''s transaction, one conveyor.enqueue per element.';
