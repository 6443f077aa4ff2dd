-- The file is whole: its size and SHA-256, computed while the chunks were written, and the report
-- it belongs to. Runs in the transaction that completes the report's job, so a non-null report_id
-- is what the API settles a report from when its report.completed callback never arrives.
-- Lock: the artifact row (written by this transaction). Index: artifacts_pkey (and
-- artifacts_report_id_key refuses a second stored file for the report).
UPDATE artifacts SET size_bytes = :size, sha256 = :sha256, report_id = :reportId WHERE id = :id
