-- pgbench script: the SQL of one POST /api/reports transaction as the API runs it (job insert
-- with its bounded jobsAhead count in the same statement, as queue-core's enqueue_one.sql; report
-- insert; commit), without the API. -D notify=1 sends the wake-up NOTIFY from the transaction
-- (queue-core's default); notify=0 leaves it to a coalescing EnqueueNotifier (at most one NOTIFY
-- per 10 ms, negligible here). The count's bound is the literal 100 (the API's default
-- jobs-ahead-cap), written in as queue-core does: a pgbench variable would be a parameter under
-- -M prepared, and a LIMIT parameter makes PostgreSQL plan the statement again on every call.
-- Needs an api_clients row with id = :owner (default 1). See bench/pg-submit.sh.
BEGIN;
WITH inserted AS (
    INSERT INTO conveyor.queue_job
        (queue, kind, payload, priority, run_at, max_attempts, unique_key, partition_key)
    VALUES ('reports', 'report.generate', '{"reportId": "bench"}', 0, now(), 5,
            md5(random()::text), 'client:' || :owner)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running')
    DO NOTHING
    RETURNING *
)
SELECT inserted.id AS job_id,
       CASE WHEN :notify = 1 AND run_at <= now() THEN pg_notify('conveyor_job', queue) END AS woken,
       (SELECT count(*)
        FROM (SELECT 1 FROM conveyor.queue_job a
              WHERE a.state = 'available' AND a.queue = inserted.queue
                AND (a.priority, a.run_at, a.id) < (inserted.priority, inserted.run_at, inserted.id)
              LIMIT 100) ahead) AS ahead
FROM inserted \gset
INSERT INTO reports (id, owner_id, type, format, parameters, status, progress, attempts, priority,
                     request_fingerprint, job_id, created_at)
VALUES (CAST(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
             || substr(md5(random()::text), 1, 20) AS uuid),
        :owner, 'voterList', 'CSV', '{"county": "Kings", "assemblyDistrict": 5}', 'PENDING', 0, 0,
        0, md5(random()::text) || md5(random()::text), :job_id, now());
COMMIT;
