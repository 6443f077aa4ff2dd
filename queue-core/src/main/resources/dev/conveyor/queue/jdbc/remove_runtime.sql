-- remove_runtime: a runtime that stops cleanly deletes its own row.
-- Locks: the one row. Index: worker_runtime_pkey.
DELETE FROM conveyor.worker_runtime WHERE id = :id
