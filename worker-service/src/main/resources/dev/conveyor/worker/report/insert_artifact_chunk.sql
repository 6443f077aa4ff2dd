-- One chunk (at most 1 MiB) of a file being written, in a short transaction of its own. Fenced:
-- inserted only while the attempt named on the unstored artifact row still holds the job
-- (running, same lease token); zero rows means the lease was lost and the writer stops. A chunk
-- committed just before the job changed hands goes with its artifact when the sweep deletes it.
-- Lock: the new row; KEY SHARE on the artifact row (foreign key), which the sweep's SKIP LOCKED
-- passes by. Index: artifacts_pkey, queue_job_pkey, artifact_chunks_pkey.
INSERT INTO artifact_chunks (artifact_id, seq, data)
SELECT a.id, :seq, :data
FROM artifacts a
JOIN conveyor.queue_job j
  ON j.id = a.job_id AND j.state = 'running' AND j.lease_token = a.lease_token
WHERE a.id = :id AND NOT a.stored
