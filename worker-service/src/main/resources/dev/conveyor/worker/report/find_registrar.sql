-- voterImport: the importing key's registry right, read when the import runs (not copied into the
-- job at submission), so a key revoked or narrowed since cannot write beyond what it may do now.
-- role: client (no right), registrar (registry_counties, NULL: every county) or admin (every
-- county); revoked keys have none.
-- Lock: none. A key narrowed while its import runs takes effect from its next import: holding
-- the client row for a whole import would block every other write of that row for as long.
-- Index: api_clients_pkey.
SELECT role, registry_counties, revoked_at IS NOT NULL AS revoked
FROM api_clients
WHERE id = :ownerId
