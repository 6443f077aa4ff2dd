-- The pgbench floor of bench/side-by-side.sh: one transaction claims the 100 oldest rows of a
-- pre-filled plain table (FOR UPDATE SKIP LOCKED, so concurrent clients take different rows) and
-- deletes them. No queue logic at all: what this machine's PostgreSQL does per claimed-and-
-- finished job at best. Locks: row locks on the 100 claimed rows. Index: side_by_side_floor_pkey.
WITH claimed AS (
    SELECT id FROM side_by_side_floor ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED
)
DELETE FROM side_by_side_floor f USING claimed WHERE f.id = claimed.id;
