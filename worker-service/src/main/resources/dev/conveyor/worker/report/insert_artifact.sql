-- A report file's row, before its chunks (they reference it). Size and digest are placeholders
-- until mark_artifact_stored.sql, in the same transaction, so they are never visible.
-- Lock: the new row. Index: artifacts_pkey.
INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
VALUES (:id, :ownerId, 'report', :filename, :contentType, 0, repeat('0', 64))
