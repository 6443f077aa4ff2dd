-- The file is whole: its size and SHA-256, computed while the chunks were written, the report it
-- belongs to, and the mark that makes it a finished file. Runs only in the transaction that
-- completes the report's job (and enqueues report.completed), so "artifact stored" and "job
-- completed" become visible together, or not at all; a non-null report_id is what the API settles
-- a report from when its report.completed callback never arrives. Zero rows: the sweep already
-- removed the file (its attempt had lost the job); the caller then rolls back.
-- Lock: the artifact row until commit. Index: artifacts_pkey (and artifacts_report_id_key refuses
-- a second stored file for the report).
UPDATE artifacts SET size_bytes = :size, sha256 = :sha256, stored = true, report_id = :reportId
WHERE id = :id AND NOT stored
