-- An upload is about to be stored: the client's storage row (created at the client's first file),
-- locked until the upload's transaction ends, with what it holds and its quota override. A
-- concurrent upload of the same client waits here and then reads the count this one leaves, so
-- two uploads never both pass a quota with room for one (V127). The upsert locks and returns the
-- row in one round trip (its no-op update writes one row version per upload).
-- Lock: the client_storage row, FOR NO KEY UPDATE, to the end of the transaction.
-- Index: client_storage_pkey.
INSERT INTO client_storage AS s (client_id) VALUES (:clientId)
ON CONFLICT (client_id) DO UPDATE SET used_bytes = s.used_bytes
RETURNING used_bytes, quota_bytes
