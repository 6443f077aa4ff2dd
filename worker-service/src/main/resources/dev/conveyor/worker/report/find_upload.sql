-- voterImport: the upload a report names, if it is an upload of the report's owner (the API
-- checked this at submission; checked again because the job may come from elsewhere).
-- Lock: none. Index: artifacts_pkey.
SELECT size_bytes
FROM artifacts
WHERE id = :id AND owner_id = :ownerId AND kind = 'upload'
