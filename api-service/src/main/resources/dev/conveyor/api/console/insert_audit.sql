-- insert_audit: record one console action and who took it (console_audit, V130).
-- Locks: none (an insert). Index: console_audit_pkey.
INSERT INTO console_audit (actor, action, target, outcome)
VALUES (:actor, :action, :target, :outcome)
