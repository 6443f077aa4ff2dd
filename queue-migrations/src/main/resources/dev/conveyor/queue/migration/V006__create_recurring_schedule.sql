-- Recurring (cron) jobs. Each schedule's next occurrence lives in its row; whichever worker
-- first locks a due row (FOR UPDATE SKIP LOCKED) enqueues the occurrence and advances
-- next_run_at in the same transaction, so every occurrence is enqueued exactly once however many
-- replicas run, with no leader to lose.
CREATE TABLE conveyor.recurring_schedule (
    name           text        NOT NULL,
    cron           text        NOT NULL,
    time_zone      text        NOT NULL DEFAULT 'UTC',
    kind           text        NOT NULL,
    payload        jsonb       NOT NULL DEFAULT '{}',
    queue          text        NOT NULL DEFAULT 'default',
    priority       smallint    NOT NULL DEFAULT 0,
    max_attempts   integer     NOT NULL DEFAULT 20,
    -- After downtime: 'run_once' enqueues the latest missed occurrence once, 'skip' none.
    missed_policy  text        NOT NULL DEFAULT 'run_once',
    next_run_at    timestamptz NOT NULL,
    last_run_at    timestamptz,
    last_job_id    bigint,
    updated_at     timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT recurring_schedule_pkey PRIMARY KEY (name),
    CONSTRAINT recurring_schedule_name_check CHECK (char_length(name) BETWEEN 1 AND 128),
    CONSTRAINT recurring_schedule_missed_policy_check CHECK (missed_policy IN ('run_once', 'skip')),
    CONSTRAINT recurring_schedule_max_attempts_check CHECK (max_attempts >= 1)
);

COMMENT ON TABLE conveyor.recurring_schedule IS
    'Cron schedules; next_run_at advances atomically with the enqueue of each occurrence.';

-- queue-core of this generation reads and writes the controls, start log and schedules.
UPDATE conveyor.queue_schema SET version = 2, applied_at = now();
