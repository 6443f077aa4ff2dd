-- Business schema, part 4: report requests, the row users see. The queue job that produces the
-- report is a separate row in conveyor.queue_job, written in the same transaction; the report
-- is the truth for users, the job the truth for workers.
--
-- Status: PENDING (queued) -> PROCESSING (a worker runs it) -> COMPLETED | FAILED | CANCELLED.
-- It never moves backwards; a trigger (V104) enforces that for every writer, not only the API.
CREATE TABLE reports (
    id                  uuid        NOT NULL,
    owner_id            bigint      NOT NULL,
    type                text        NOT NULL,
    format              text        NOT NULL,
    -- Validated and normalized by the API (known keys only).
    parameters          jsonb       NOT NULL DEFAULT '{}',
    status              text        NOT NULL DEFAULT 'PENDING',
    progress            smallint    NOT NULL DEFAULT 0,
    -- The attempt that currently owns the report (0 before any worker event).
    attempts            integer     NOT NULL DEFAULT 0,
    priority            smallint    NOT NULL DEFAULT 0,
    run_at              timestamptz,
    error_code          text,
    error_message       text,
    artifact_id         uuid,
    callback_url        text,
    -- Idempotency-Key of the request that created it, unique per owner, and a SHA-256 of the
    -- normalized request so that a replay with another body can be told apart (409).
    idempotency_key     text,
    request_fingerprint text        NOT NULL,
    -- The queue job producing this report. No foreign key: finished jobs are pruned from the
    -- queue while their reports stay.
    job_id              bigint      NOT NULL,
    -- Fencing: the lease token of the attempt that owns the report. Worker events carrying
    -- another token are refused unless they come from the job's newest attempt.
    lease_token         uuid,
    cancel_requested_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    -- When the report reached a terminal status (COMPLETED, FAILED or CANCELLED).
    completed_at        timestamptz,

    CONSTRAINT reports_pkey PRIMARY KEY (id),
    CONSTRAINT reports_owner_fkey FOREIGN KEY (owner_id) REFERENCES api_clients (id),
    CONSTRAINT reports_artifact_fkey FOREIGN KEY (artifact_id) REFERENCES artifacts (id),
    -- NULL keys are distinct, so requests without a key never collide.
    CONSTRAINT reports_owner_idempotency_key_key UNIQUE (owner_id, idempotency_key),
    CONSTRAINT reports_type_format_check CHECK (
        (type, format) IN (('voterList', 'CSV'), ('voterList', 'XLSX'),
                           ('absenteeReport', 'CSV'), ('absenteeReport', 'XLSX'),
                           ('ldCommittees', 'PDF'), ('ldCommittees', 'XLSX'),
                           ('designatedPetition', 'PDF'),
                           ('voterImport', 'CSV'))),
    CONSTRAINT reports_parameters_check CHECK (jsonb_typeof(parameters) = 'object'),
    CONSTRAINT reports_status_check
        CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    CONSTRAINT reports_progress_check CHECK (progress BETWEEN 0 AND 100),
    CONSTRAINT reports_attempts_check CHECK (attempts >= 0),
    CONSTRAINT reports_priority_check CHECK (priority BETWEEN -100 AND 100),
    CONSTRAINT reports_idempotency_key_check
        CHECK (idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 255),
    CONSTRAINT reports_request_fingerprint_check CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
    CONSTRAINT reports_callback_url_check
        CHECK (callback_url IS NULL OR (char_length(callback_url) <= 2048 AND callback_url ~ '^https?://')),
    -- Exactly the completed reports have a file, exactly the failed ones an error.
    CONSTRAINT reports_artifact_check CHECK ((status = 'COMPLETED') = (artifact_id IS NOT NULL)),
    CONSTRAINT reports_error_check CHECK ((status = 'FAILED') = (error_code IS NOT NULL)),
    -- completed_at is set exactly when the status is terminal.
    CONSTRAINT reports_completed_at_check
        CHECK ((completed_at IS NOT NULL) = (status IN ('COMPLETED', 'FAILED', 'CANCELLED'))),
    CONSTRAINT reports_processing_check CHECK (status <> 'PROCESSING' OR lease_token IS NOT NULL)
);

-- GET /api/reports: the owner's reports newest first, keyset-paginated on (created_at, id),
-- with and without a status filter.
CREATE INDEX reports_owner_created_idx ON reports (owner_id, created_at DESC, id DESC);
CREATE INDEX reports_owner_status_created_idx ON reports (owner_id, status, created_at DESC, id DESC);

COMMENT ON TABLE reports IS 'Report requests and their outcome; status only moves forward (see reports_status_forward).';
