-- Every action taken in the operations console (/console), with who took it: retry, cancel and
-- delete of jobs, pause and resume of queues, limits, schedules. Written in the transaction of the
-- action where the action is one statement, and right after it otherwise (a retry of all dead jobs
-- runs in many short transactions; its row then says how many were retried). Rows are kept: the
-- table grows by operator clicks, not by jobs.
CREATE TABLE console_audit (
    id      bigint      GENERATED ALWAYS AS IDENTITY,
    at      timestamptz NOT NULL DEFAULT now(),
    -- The admin API client's name that signed in to the console (never its key).
    actor   text        NOT NULL,
    -- e.g. 'job.retry', 'queue.pause', 'schedule.run-now'.
    action  text        NOT NULL,
    -- What it acted on: a job id, a queue or a schedule name.
    target  text        NOT NULL,
    -- What came of it, for people: 'retried', 'not retryable', '1,204 jobs retried'.
    outcome text        NOT NULL,

    CONSTRAINT console_audit_pkey PRIMARY KEY (id),
    CONSTRAINT console_audit_actor_check CHECK (char_length(actor) BETWEEN 1 AND 200),
    CONSTRAINT console_audit_action_check CHECK (action ~ '^[a-z]+\.[a-z-]+$'),
    CONSTRAINT console_audit_target_check CHECK (char_length(target) BETWEEN 1 AND 600),
    CONSTRAINT console_audit_outcome_check CHECK (char_length(outcome) BETWEEN 1 AND 600)
);

COMMENT ON TABLE console_audit IS 'Operations console actions and who took them (newest: highest id).';
