-- One chunk of a stored file, read one at a time so that a file is never held whole.
-- Lock: none. Index: artifact_chunks_pkey (artifact_id, seq).
SELECT data FROM artifact_chunks WHERE artifact_id = :id AND seq = :seq
