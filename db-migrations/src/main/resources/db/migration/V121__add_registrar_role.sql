-- Issue 15.2: writing the shared voter registry (voterImport) is a right of its own. Every
-- client's reports read `voters`, so a key that may only submit and read reports must not be able
-- to overwrite them.
--   client    submits and reads its own reports;
--   registrar a client that may also run voterImport, optionally only for the counties in
--             registry_counties (NULL: every county);
--   admin     the admin endpoints, and the registry for every county (an operator's key).
-- The scope is read by the worker when the import runs, not copied into the job, so a key that is
-- revoked or narrowed before its import runs cannot write beyond what it may do then.
ALTER TABLE api_clients DROP CONSTRAINT api_clients_role_check;
ALTER TABLE api_clients
    ADD CONSTRAINT api_clients_role_check CHECK (role IN ('client', 'registrar', 'admin'));

ALTER TABLE api_clients ADD COLUMN registry_counties text[];

-- A scope belongs to a registrar only (a client has no registry right to narrow, an admin is
-- unscoped), is not empty (a registrar of no county is a client) and holds no NULL (which
-- `= ANY` would silently never match). Its names are checked against registry_counties by the
-- API when the key is created; an array cannot carry a foreign key.
ALTER TABLE api_clients
    ADD CONSTRAINT api_clients_registry_counties_check
        CHECK (registry_counties IS NULL
               OR (role = 'registrar'
                   AND cardinality(registry_counties) >= 1
                   AND array_position(registry_counties, NULL) IS NULL));

COMMENT ON COLUMN api_clients.registry_counties IS 'A registrar''s counties (voterImport may change only their voters); NULL: every county.';
