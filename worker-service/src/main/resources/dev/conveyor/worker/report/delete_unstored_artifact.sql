-- Best-effort clean-up by the attempt itself when it fails, is cancelled or loses its lease: its
-- unstored file and (ON DELETE CASCADE) every chunk it wrote. Never touches a stored file. What
-- this misses (the process died, the database was unreachable) is the sweep's.
-- Lock: the artifact row and its chunks. Index: artifacts_pkey, artifact_chunks_pkey (cascade).
DELETE FROM artifacts WHERE id = :id AND NOT stored
