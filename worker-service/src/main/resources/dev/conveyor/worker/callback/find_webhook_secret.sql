-- The signing secret of a client's webhooks, read on every delivery attempt so a rotated secret
-- applies at once; a revoked client gets nothing.
-- Lock: none. Index: api_clients_pkey.
SELECT webhook_secret FROM api_clients WHERE id = :id AND revoked_at IS NULL
