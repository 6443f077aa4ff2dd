-- The file is whole: its size and SHA-256, computed while the chunks were written, and the mark
-- that makes it a finished file. Runs only in the transaction that completes the report's job
-- (and enqueues report.completed), so "artifact stored" and "job completed" become visible
-- together, or not at all. Zero rows: the sweep already removed the file (its attempt had lost
-- the job); the caller then rolls back.
-- Lock: the artifact row until commit. Index: artifacts_pkey.
UPDATE artifacts SET size_bytes = :size, sha256 = :sha256, stored = true
WHERE id = :id AND NOT stored
