-- statistics_stale: whether conveyor.queue_job has grown to many times the size its statistics
-- were taken at (pg_class.relpages, set by its last VACUUM or ANALYZE), and this role may ANALYZE
-- it (its owner, a member of the owner's role, the database's owner or a superuser; anyone else
-- would only make the server log a warning).
-- Why: a worker's claim and completion are server-prepared, and PostgreSQL keeps the generic plan
-- it made for them until the table's statistics change. Made while the table was nearly empty (a
-- new install, a truncated table), that plan reads the whole table on every claim and completion,
-- growing with it until autovacuum's ANALYZE (within autovacuum_naptime, a minute by default).
-- Reads one pg_class row; pg_relation_size is a stat() per 1 GB segment of the table.
SELECT s.pages >= :min_pages
       AND s.pages > CAST(:growth AS bigint) * greatest(c.relpages, 1)
       AND (pg_has_role(c.relowner, 'USAGE')
            OR pg_has_role((SELECT d.datdba FROM pg_database d
                            WHERE d.datname = current_database()), 'USAGE'))
FROM pg_class c
CROSS JOIN LATERAL (
    SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
) s
WHERE c.oid = 'conveyor.queue_job'::regclass
