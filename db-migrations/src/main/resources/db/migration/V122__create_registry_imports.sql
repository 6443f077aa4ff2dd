-- Issue 15.2: the audit of registry writes. Every voterImport that changes the registry leaves
-- one row, inserted by the worker in the transaction that upserts the voters, so a committed
-- import always has its row and a rolled-back one never does.
-- No foreign key to reports or artifacts: report rows and uploads are pruned after their
-- retention, the audit outlives them. The key (api_clients) is only ever revoked, never deleted.
CREATE TABLE registry_imports (
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    -- The key (API client) whose report imported.
    client_id     bigint      NOT NULL,
    report_id     uuid        NOT NULL,
    upload_id     uuid        NOT NULL,
    -- SHA-256 (hex) of the uploaded file, as stored with the upload.
    upload_sha256 text        NOT NULL,
    -- The county scope the import ran with, read from the key at run time; NULL: every county.
    counties      text[],
    rows_read     bigint      NOT NULL,
    inserted      bigint      NOT NULL,
    updated       bigint      NOT NULL,
    unchanged     bigint      NOT NULL,
    rejected      bigint      NOT NULL,
    -- When the import's effect was written: the insert's own clock, not the start of the
    -- (long) import transaction.
    imported_at   timestamptz NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT registry_imports_pkey PRIMARY KEY (id),
    CONSTRAINT registry_imports_client_fkey FOREIGN KEY (client_id) REFERENCES api_clients (id),
    -- A report imports at most once (a retried job's earlier attempt rolled back with its row).
    CONSTRAINT registry_imports_report_id_key UNIQUE (report_id),
    CONSTRAINT registry_imports_upload_sha256_check CHECK (upload_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT registry_imports_counts_check
        CHECK (inserted >= 0 AND updated >= 0 AND unchanged >= 0 AND rejected >= 0
               AND rows_read = inserted + updated + unchanged + rejected)
);

-- GET /api/admin/registry-imports: newest first, keyset on (imported_at, id).
CREATE INDEX registry_imports_imported_at_idx ON registry_imports (imported_at, id);

COMMENT ON TABLE registry_imports IS 'Audit of voterImport runs: who imported which file, with which scope, and what changed.';
