-- One row per job. The row is the whole truth of a job: there is no in-memory state in a
-- worker that the database does not also hold, so a crash loses nothing.
--
-- States:
--   available  waiting to run (run_at may be in the future: a delayed job or a retry backoff)
--   running    claimed by a worker that holds a lease (lease_token, lease_expires_at)
--   completed  finished successfully                      -- terminal
--   discarded  failed permanently or exhausted its attempts ("dead"), errors kept -- terminal
--   cancelled  cancelled before or while running         -- terminal
CREATE TABLE conveyor.queue_job (
    id               bigint      GENERATED ALWAYS AS IDENTITY,
    queue            text        NOT NULL DEFAULT 'default',
    kind             text        NOT NULL,
    payload          jsonb       NOT NULL DEFAULT '{}',
    -- Lower runs first, like a Unix nice value; 0 is the default.
    priority         smallint    NOT NULL DEFAULT 0,
    state            text        NOT NULL DEFAULT 'available',
    run_at           timestamptz NOT NULL DEFAULT now(),
    -- Number of the attempt that is running or last ran; 0 before the first claim.
    attempt          integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL DEFAULT 20,
    -- While the job is unfinished no other unfinished job may hold the same key.
    unique_key       text,
    -- Who holds the lease (a worker id, for operators) and the fencing token of this
    -- attempt. The token is kept after the attempt ends so late writers stay fenced.
    lease_owner      text,
    lease_token      uuid,
    lease_expires_at timestamptz,
    progress         smallint    NOT NULL DEFAULT 0,
    -- Every failed attempt appends {attempt, at, error, class}; nothing is overwritten.
    errors           jsonb       NOT NULL DEFAULT '[]',
    cancel_requested boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- When the latest attempt started.
    started_at       timestamptz,
    finalized_at     timestamptz,

    CONSTRAINT queue_job_pkey PRIMARY KEY (id),
    CONSTRAINT queue_job_state_check
        CHECK (state IN ('available', 'running', 'completed', 'discarded', 'cancelled')),
    CONSTRAINT queue_job_queue_check CHECK (char_length(queue) BETWEEN 1 AND 128),
    CONSTRAINT queue_job_kind_check CHECK (char_length(kind) BETWEEN 1 AND 128),
    CONSTRAINT queue_job_unique_key_check
        CHECK (unique_key IS NULL OR char_length(unique_key) BETWEEN 1 AND 512),
    CONSTRAINT queue_job_max_attempts_check CHECK (max_attempts >= 1),
    CONSTRAINT queue_job_attempt_check CHECK (attempt >= 0 AND attempt <= max_attempts),
    -- An available job always has an attempt left; exhausted jobs are discarded instead.
    CONSTRAINT queue_job_available_attempt_check CHECK (state <> 'available' OR attempt < max_attempts),
    CONSTRAINT queue_job_progress_check CHECK (progress BETWEEN 0 AND 100),
    CONSTRAINT queue_job_errors_check CHECK (jsonb_typeof(errors) = 'array'),
    -- A running job always has a live lease, and only a running job has one.
    CONSTRAINT queue_job_lease_check CHECK (
        (state = 'running') = (lease_expires_at IS NOT NULL)
        AND (state <> 'running' OR (lease_token IS NOT NULL AND lease_owner IS NOT NULL AND started_at IS NOT NULL))),
    -- finalized_at is set exactly when the state is terminal.
    CONSTRAINT queue_job_finalized_at_check
        CHECK ((finalized_at IS NOT NULL) = (state IN ('completed', 'discarded', 'cancelled')))
) WITH (
    -- Heartbeats, progress and cancel requests touch only unindexed columns, so they can be
    -- HOT updates when the page has room; 90 leaves that room without bloating bulk inserts.
    fillfactor = 90,
    -- Every job is inserted, updated at claim and updated at completion, then deleted by the
    -- pruner: dead tuples pile up fast. Vacuum after 1% churn (default 20%), not after hours.
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    -- Let vacuum keep pace with a busy queue instead of being throttled to the default budget.
    autovacuum_vacuum_cost_limit = 2000
);

COMMENT ON TABLE conveyor.queue_job IS 'Conveyor jobs: one row per job, from enqueue until pruned.';
