-- claim_limited: claim from a queue with cluster-wide limits, after lock_control.sql in the same
-- transaction. Takes at most
--   min(:demand, :max_running - running now, :rate_limit - starts in the trailing :rate_period_ms)
-- jobs, and per partition key at most :max_per_key - that key's running jobs. Every bound is
-- optional (null). Time is clock_timestamp() taken once, after the lock: claims are serialized,
-- so the start times they log only move forward and the trailing-window count is exact.
-- Locks: FOR UPDATE SKIP LOCKED on the picked rows. Index: queue_job_claim_idx for candidates
-- (at most :scan of them, in claim order), queue_job_running_idx for the running counts,
-- queue_start_log_queue_started_at_idx for the window.
-- The picked rows are found by id = ANY(array) and updated the same way (queue_job_pkey): no
-- join of a CTE with queue_job, which a custom plan may turn into a scan of the whole table.
WITH t AS MATERIALIZED (
    SELECT coalesce(CAST(:now AS timestamptz), clock_timestamp()) AS now
),
running AS MATERIALIZED (
    SELECT count(*) AS n
    FROM conveyor.queue_job
    WHERE state = 'running' AND queue = :queue
),
recent AS MATERIALIZED (
    SELECT count(*) AS n
    FROM conveyor.queue_start_log l, t
    WHERE CAST(:rate_limit AS int) IS NOT NULL
      AND l.queue = :queue
      AND l.started_at > t.now - CAST(:rate_period_ms AS bigint) * interval '1 millisecond'
),
allowance AS MATERIALIZED (
    SELECT greatest(0, least(
               CAST(:demand AS int),
               coalesce(CAST(:max_running AS int) - running.n, CAST(:demand AS int)),
               coalesce(CAST(:rate_limit AS int) - recent.n, CAST(:demand AS int)))) AS n
    FROM running, recent
),
key_running AS MATERIALIZED (
    SELECT partition_key, count(*) AS n
    FROM conveyor.queue_job
    WHERE CAST(:max_per_key AS int) IS NOT NULL
      AND state = 'running' AND queue = :queue AND partition_key IS NOT NULL
    GROUP BY partition_key
),
candidates AS MATERIALIZED (
    SELECT j.id, j.partition_key, j.priority, j.run_at
    FROM conveyor.queue_job j, t
    WHERE j.state = 'available' AND j.queue = :queue AND j.run_at <= t.now
    ORDER BY j.priority, j.run_at, j.id
    LIMIT :scan
),
eligible AS MATERIALIZED (
    SELECT id
    FROM (SELECT c.*,
                 row_number() OVER (PARTITION BY c.partition_key
                                    ORDER BY c.priority, c.run_at, c.id) AS rank_in_key,
                 coalesce(k.n, 0) AS key_running
          FROM candidates c
          LEFT JOIN key_running k ON k.partition_key = c.partition_key) ranked
    WHERE CAST(:max_per_key AS int) IS NULL
       OR partition_key IS NULL
       OR rank_in_key + key_running <= CAST(:max_per_key AS int)
    ORDER BY priority, run_at, id
    LIMIT (SELECT n FROM allowance)
),
picked AS MATERIALIZED (
    SELECT j.id
    FROM conveyor.queue_job j
    WHERE j.id = ANY (ARRAY(SELECT id FROM eligible))
      AND j.state = 'available'
    FOR UPDATE SKIP LOCKED
),
claimed AS (
    UPDATE conveyor.queue_job j
    SET state            = 'running',
        attempt          = j.attempt + 1,
        lease_owner      = :owner,
        lease_token      = (SELECT gen_random_uuid()),
        lease_expires_at = t.now + CAST(:lease_ms AS bigint) * interval '1 millisecond',
        started_at       = t.now,
        progress         = 0
    FROM t
    WHERE j.id = ANY (ARRAY(SELECT id FROM picked))
    RETURNING j.*
),
logged AS (
    INSERT INTO conveyor.queue_start_log (queue, started_at)
    SELECT :queue, t.now
    FROM claimed, t
    WHERE CAST(:rate_limit AS int) IS NOT NULL
),
expired AS (
    DELETE FROM conveyor.queue_start_log l
    USING t
    WHERE CAST(:rate_limit AS int) IS NOT NULL
      AND l.queue = :queue
      AND l.started_at <= t.now - CAST(:rate_period_ms AS bigint) * interval '1 millisecond'
)
SELECT * FROM claimed
