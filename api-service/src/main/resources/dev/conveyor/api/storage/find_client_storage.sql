-- What a client holds and its quota override, for a report submission (no row: nothing stored
-- yet, the default quota). Read without a lock: a submission adds no bytes itself.
-- Lock: none. Index: client_storage_pkey.
SELECT used_bytes, quota_bytes FROM client_storage WHERE client_id = :clientId
