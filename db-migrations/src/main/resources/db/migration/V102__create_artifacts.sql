-- Business schema, part 3: files, stored in PostgreSQL so that the database stays the only
-- thing to back up and the only coordination point (the worker writes them, the API reads them).
--
-- A file is split into chunks of at most 1 MiB rather than kept as one bytea or a large object:
--   * one bytea has to be read whole into memory by the JDBC driver, so a big report would cost
--     its whole size in heap per download; chunks stream with bounded memory;
--   * large objects need lo_unlink housekeeping (or the lo extension) and do not cascade;
--     chunk rows go away with their artifact (ON DELETE CASCADE).
-- The sum of the chunk lengths equals size_bytes, and sha256 is over the whole file; both are
-- written by whoever stores the file, in the same transaction as the chunks.
CREATE TABLE artifacts (
    id           uuid        NOT NULL,
    owner_id     bigint      NOT NULL,
    -- 'report': a generated report file; 'upload': a file a client sent (voterImport input).
    kind         text        NOT NULL,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    sha256       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT artifacts_pkey PRIMARY KEY (id),
    CONSTRAINT artifacts_owner_fkey FOREIGN KEY (owner_id) REFERENCES api_clients (id),
    CONSTRAINT artifacts_kind_check CHECK (kind IN ('report', 'upload')),
    -- A bare file name: it ends up in a Content-Disposition header.
    CONSTRAINT artifacts_filename_check
        CHECK (char_length(filename) BETWEEN 1 AND 255 AND filename !~ '[/\\"[:cntrl:]]'),
    CONSTRAINT artifacts_content_type_check CHECK (content_type ~ '^[a-z]+/[A-Za-z0-9.+-]+$'),
    CONSTRAINT artifacts_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT artifacts_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX artifacts_owner_idx ON artifacts (owner_id, created_at);

CREATE TABLE artifact_chunks (
    artifact_id uuid    NOT NULL,
    seq         integer NOT NULL,
    data        bytea   NOT NULL,

    CONSTRAINT artifact_chunks_pkey PRIMARY KEY (artifact_id, seq),
    CONSTRAINT artifact_chunks_artifact_fkey
        FOREIGN KEY (artifact_id) REFERENCES artifacts (id) ON DELETE CASCADE,
    CONSTRAINT artifact_chunks_seq_check CHECK (seq >= 0),
    CONSTRAINT artifact_chunks_data_check CHECK (octet_length(data) BETWEEN 1 AND 1048576)
);

-- XLSX and PDF are already compressed and CSV chunks are read whole anyway: store chunks out of
-- line without TOAST compression, so writes do not spend CPU trying to shrink them.
ALTER TABLE artifact_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

COMMENT ON TABLE artifacts IS 'Files (report outputs and client uploads): metadata; the bytes are in artifact_chunks.';
COMMENT ON TABLE artifact_chunks IS 'File contents in order, at most 1 MiB per row.';
