-- The file is whole: its size and SHA-256, computed while the chunks were written.
-- Lock: the artifact row (written by this transaction). Index: artifacts_pkey.
UPDATE artifacts SET size_bytes = :size, sha256 = :sha256 WHERE id = :id
