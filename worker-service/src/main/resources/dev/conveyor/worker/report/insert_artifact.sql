-- A report file's row, before its chunks (they reference it), in a short transaction of its own:
-- unstored, with placeholder size and digest, naming the attempt that writes it. Inserted only
-- while that attempt holds the job (running, same lease token), so no row is ever left by an
-- attempt that had already ended; a row whose attempt ends later is the sweep's
-- (sweep_unstored_artifacts.sql).
-- Lock: the new row; none on the job (a plain read). Index: queue_job_pkey, artifacts_pkey.
INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256, stored,
                       job_id, lease_token)
SELECT :id, :ownerId, 'report', :filename, :contentType, 0, repeat('0', 64), false, j.id,
       j.lease_token
FROM conveyor.queue_job j
WHERE j.id = :jobId AND j.state = 'running' AND j.lease_token = :token
