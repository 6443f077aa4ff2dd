-- Issue 15.3 (voterImport in short transactions): the status and position of an import, beside
-- its audit row (registry_imports, one row per report). The import applies the registry upsert in
-- slices, each its own transaction, so it is no longer all or nothing: the audit row and this row
-- are inserted when the import starts applying (counts zero), every slice adds its counts to the
-- audit row and moves applied_line here in the same transaction as its upsert, and the final step
-- (with the job's completion) sets status completed. A retried or rescued attempt resumes after
-- applied_line with the counts it finds, so the counts stay exact across attempts. A cancelled or
-- failed import keeps the slices already applied, and says so here, its audit row holding the
-- counts so far: every change to the registry is audited.
--
-- A table of its own rather than columns of registry_imports only because that table is created
-- by a later migration (V122) than the numbers this change could use; a later migration may fold
-- it in. One row per audit row (same report_id), kept as long. An audit row without one was
-- written before this migration, by a whole import in one transaction: completed.
CREATE TABLE registry_import_progress (
    report_id    uuid   NOT NULL,
    -- The queue job applying the import (the key of its staging rows).
    job_id       bigint NOT NULL,
    -- running (slices being applied), completed, cancelled, or failed: ended without completing
    -- (the last attempt failed, a permanent failure, or the job ended or was pruned without its
    -- attempt recording why, which the worker's sweep finds).
    status       text   NOT NULL,
    -- The file line up to which the import is applied: the audit row's counts cover exactly the
    -- records up to it (the header is line 1, so 0 is "nothing yet").
    applied_line bigint NOT NULL,

    CONSTRAINT registry_import_progress_pkey PRIMARY KEY (report_id),
    CONSTRAINT registry_import_progress_status_check
        CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
    CONSTRAINT registry_import_progress_applied_line_check CHECK (applied_line >= 0)
);

-- The sweep ends the import of a job that ended without its attempt doing so; partial, so it holds
-- only the imports in progress.
CREATE INDEX registry_import_progress_running_job_idx
    ON registry_import_progress (job_id) WHERE status = 'running';

COMMENT ON TABLE registry_import_progress IS
    'Status and applied position of each voterImport; its counts are on registry_imports.';
