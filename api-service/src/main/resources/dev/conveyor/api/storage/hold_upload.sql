-- A voterImport submission names an upload: lock it (FOR KEY SHARE) until the submission commits,
-- so the retention sweep cannot delete it in between (lock_unused_uploads.sql skips it, and
-- delete_unused_uploads.sql then sees the committed report). No row: it is gone, or not the
-- caller's upload.
-- Lock: the artifacts row, FOR KEY SHARE (blocks only its deletion). Index: artifacts_pkey.
SELECT id FROM artifacts
WHERE id = :id AND owner_id = :ownerId AND kind = 'upload'
FOR KEY SHARE
