-- Per-client storage quota (issue 15): how many bytes of files (report outputs and uploads) each
-- API client holds, kept as a counter that every writer of artifacts updates through a trigger
-- (the API storing an upload, the worker storing a report file, the retention sweep deleting),
-- so the quota check reads one row instead of summing a client's artifacts, and holds with any
-- number of API replicas: the count is in the database, not in a process.
--
-- An upload locks its client's row (an upsert: FOR NO KEY UPDATE) before it compares the count
-- with the quota and keeps the lock until it commits; a second upload of the same client waits
-- there and then sees the first one's bytes, so two uploads can never both pass a quota that has
-- room for one. Report files written by the worker are counted but never refused (an accepted
-- report is not lost): a client over its quota is refused new submissions and uploads instead.
CREATE TABLE client_storage (
    client_id   bigint NOT NULL,
    -- Sum of size_bytes of the client's artifacts.
    used_bytes  bigint NOT NULL DEFAULT 0,
    -- This client's quota in bytes; NULL means conveyor.api.storage.quota (1 GiB by default).
    -- Operators set it with SQL (docs/operations.md).
    quota_bytes bigint,

    CONSTRAINT client_storage_pkey PRIMARY KEY (client_id),
    CONSTRAINT client_storage_client_fkey
        FOREIGN KEY (client_id) REFERENCES api_clients (id) ON DELETE CASCADE,
    CONSTRAINT client_storage_used_bytes_check CHECK (used_bytes >= 0),
    CONSTRAINT client_storage_quota_bytes_check CHECK (quota_bytes IS NULL OR quota_bytes >= 0)
);

-- Keeps client_storage.used_bytes equal to the sum of the client's artifacts' sizes. A file's row
-- is inserted with size 0 and given its size when it is whole: an upload in the API's one
-- transaction, a report file in the worker's final transaction (the one that marks it stored and
-- completes the job; its chunks were committed before, see V115). So the count moves at that
-- UPDATE, and takes the client row's lock only from there to the commit. Growth upserts (the client's first file creates the
-- row); shrinking updates (the row exists, since the bytes were counted).
CREATE FUNCTION artifacts_count_storage() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    target_client bigint;
    delta bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.owner_id <> OLD.owner_id THEN
        -- Not done by Conveyor (the owner is immutable in code), but counted right if done.
        UPDATE client_storage SET used_bytes = used_bytes - OLD.size_bytes
        WHERE client_id = OLD.owner_id;
        target_client := NEW.owner_id;
        delta := NEW.size_bytes;
    ELSIF TG_OP = 'UPDATE' THEN
        target_client := NEW.owner_id;
        delta := NEW.size_bytes - OLD.size_bytes;
    ELSIF TG_OP = 'INSERT' THEN
        target_client := NEW.owner_id;
        delta := NEW.size_bytes;
    ELSE
        target_client := OLD.owner_id;
        delta := -OLD.size_bytes;
    END IF;
    IF delta > 0 THEN
        INSERT INTO client_storage AS s (client_id, used_bytes) VALUES (target_client, delta)
        ON CONFLICT (client_id) DO UPDATE SET used_bytes = s.used_bytes + EXCLUDED.used_bytes;
    ELSIF delta < 0 THEN
        UPDATE client_storage SET used_bytes = used_bytes + delta WHERE client_id = target_client;
    END IF;
    RETURN NULL;
END
$$;

-- Created before the backfill below and in the same transaction: CREATE TRIGGER waits for the
-- transactions writing artifacts to end and holds off new ones until this migration commits, so
-- each file is counted exactly once, by the backfill or by the trigger.
CREATE TRIGGER artifacts_count_storage
    AFTER INSERT OR DELETE OR UPDATE OF size_bytes, owner_id ON artifacts
    FOR EACH ROW
    EXECUTE FUNCTION artifacts_count_storage();

-- TRUNCATE fires no row trigger: an emptied artifacts table leaves no bytes counted.
CREATE FUNCTION artifacts_truncate_storage() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE client_storage SET used_bytes = 0 WHERE used_bytes <> 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER artifacts_truncate_storage
    AFTER TRUNCATE ON artifacts
    FOR EACH STATEMENT
    EXECUTE FUNCTION artifacts_truncate_storage();

INSERT INTO client_storage (client_id, used_bytes)
SELECT owner_id, sum(size_bytes) FROM artifacts GROUP BY owner_id;

COMMENT ON TABLE client_storage IS 'Bytes of files each API client holds (kept by trigger artifacts_count_storage) and its quota override.';
