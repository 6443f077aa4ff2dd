-- Queue controls that hold across every worker, kept in the database so they survive restarts
-- and apply to every replica at its next claim: pause, a cap on running jobs (per queue and per
-- partition key), and a start-rate limit. A queue without a row here has no limits, and its
-- claims never touch this table's locks (see claim_available.sql vs claim_limited.sql).
CREATE TABLE conveyor.queue_control (
    queue               text        NOT NULL,
    -- No claims while paused_until > now(); 'infinity' pauses until resumed.
    paused_until        timestamptz,
    -- At most this many jobs of the queue running at once, cluster-wide.
    max_running         integer,
    -- At most this many running jobs per partition key (e.g. per client), cluster-wide.
    max_running_per_key integer,
    -- At most rate_limit job starts in any rate_period window, cluster-wide.
    rate_limit          integer,
    rate_period         interval,
    updated_at          timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT queue_control_pkey PRIMARY KEY (queue),
    CONSTRAINT queue_control_max_running_check CHECK (max_running IS NULL OR max_running >= 1),
    CONSTRAINT queue_control_max_running_per_key_check
        CHECK (max_running_per_key IS NULL OR max_running_per_key >= 1),
    CONSTRAINT queue_control_rate_check CHECK (
        (rate_limit IS NULL) = (rate_period IS NULL)
        AND (rate_limit IS NULL OR rate_limit >= 1)
        AND (rate_period IS NULL OR rate_period > interval '0'))
);

COMMENT ON TABLE conveyor.queue_control IS
    'Per-queue pause and cluster-wide limits; a queue without a row is unlimited.';

-- The key a per-key limit counts by (e.g. the client a report belongs to). Null: no key.
ALTER TABLE conveyor.queue_job ADD COLUMN partition_key text;
ALTER TABLE conveyor.queue_job ADD CONSTRAINT queue_job_partition_key_check
    CHECK (partition_key IS NULL OR char_length(partition_key) BETWEEN 1 AND 255);

-- Starts of rate-limited queues, one row per claimed job, so a limited claim can count the
-- starts in the trailing window exactly (a job's own started_at is overwritten by its next
-- attempt, so it cannot serve). Rows older than the queue's period are deleted by the claims.
CREATE TABLE conveyor.queue_start_log (
    queue      text        NOT NULL,
    started_at timestamptz NOT NULL
);
CREATE INDEX queue_start_log_queue_started_at_idx
    ON conveyor.queue_start_log (queue, started_at);

-- The SQL enqueue functions learn the partition key. A new parameter would add an overload next
-- to the old function and make named calls ambiguous, so the old one is replaced.
DROP FUNCTION conveyor.enqueue(text, jsonb, text, integer, timestamptz, integer, text);

CREATE FUNCTION conveyor.enqueue(
    kind         text,
    payload      jsonb       DEFAULT '{}',
    queue        text        DEFAULT 'default',
    priority     integer     DEFAULT 0,
    run_at       timestamptz DEFAULT NULL,
    max_attempts integer     DEFAULT 20,
    unique_key   text        DEFAULT NULL,
    partition_key text       DEFAULT NULL)
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
            (queue, kind, payload, priority, run_at, max_attempts, unique_key, partition_key)
        VALUES (coalesce(enqueue.queue, 'default'), enqueue.kind, coalesce(enqueue.payload, '{}'),
                coalesce(enqueue.priority, 0), coalesce(enqueue.run_at, now()),
                coalesce(enqueue.max_attempts, 20), enqueue.unique_key, enqueue.partition_key)
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

COMMENT ON FUNCTION conveyor.enqueue(text, jsonb, text, integer, timestamptz, integer, text, text) IS
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
            partition_key => spec->>'partition_key');
    END LOOP;
END
$$;

COMMENT ON FUNCTION conveyor.enqueue_batch(jsonb) IS
    'Enqueue a JSON array of jobs in the caller''s transaction, one conveyor.enqueue per element.';
