-- One chunk (at most 1 MiB) of an artifact being written, in the writer's transaction.
-- Lock: the new row. Index: artifact_chunks_pkey.
INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)
