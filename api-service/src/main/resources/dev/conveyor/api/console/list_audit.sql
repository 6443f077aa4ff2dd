-- list_audit: the latest console actions, newest first. Locks: none. Index: console_audit_pkey
-- read backwards.
SELECT id, at, actor, action, target, outcome
FROM console_audit
ORDER BY id DESC
LIMIT :limit
