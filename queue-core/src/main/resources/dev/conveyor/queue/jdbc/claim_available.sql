-- claim_available: take up to :demand runnable jobs of one queue for this worker.
-- Locks: FOR UPDATE SKIP LOCKED on the picked rows, so concurrent claimers never wait on
-- each other and never pick the same row; the UPDATE then marks them running under a new
-- lease token. The token is drawn once per statement (an InitPlan), not per row: (id, token)
-- names the attempt, and every fenced write matches both, so jobs claimed together may share it
-- (a new claim of the same job always draws a new one). Per row it cost ~2 us of a ~15 us claim.
-- Index: queue_job_claim_idx (queue, priority, run_at, id) WHERE state = 'available', read in
-- order and stopped after :demand rows. MATERIALIZED keeps the LIMIT inside the CTE: the
-- UPDATE can never touch more rows than were picked. The UPDATE finds the picked (and locked)
-- rows by id = ANY(array), an index scan: not a join with the CTE, which a custom plan for a
-- demand of 1,000 turned into a hash join over a scan of the whole table (45 ms at 100,000 rows,
-- growing with the completed rows kept; see batch writes in docs/design-notes-queue.md). A plan
-- made while the table was nearly empty reads the whole table here and in the CTE until the
-- statistics are renewed (see complete_many.sql).
-- The rows come back in no particular order; the runtime sorts them (QueueFetcher.CLAIM_ORDER).
-- A queue that is paused or has limits (a conveyor.queue_control row) is claimed through
-- claim_limited.sql instead; here such a queue yields nothing. That probe is one primary-key
-- look-up per statement, not per row: it costs unlimited queues nothing measurable.
WITH picked AS MATERIALIZED (
    SELECT id
    FROM conveyor.queue_job
    WHERE state = 'available'
      AND queue = :queue
      AND run_at <= coalesce(CAST(:now AS timestamptz), now())
      AND NOT EXISTS (
          SELECT 1
          FROM conveyor.queue_control c
          WHERE c.queue = :queue
            AND (c.paused_until > coalesce(CAST(:now AS timestamptz), now())
                 OR c.max_running IS NOT NULL
                 OR c.max_running_per_key IS NOT NULL
                 OR c.rate_limit IS NOT NULL))
    ORDER BY priority, run_at, id
    LIMIT :demand
    FOR UPDATE SKIP LOCKED
)
UPDATE conveyor.queue_job j
SET state            = 'running',
    attempt          = j.attempt + 1,
    lease_owner      = :owner,
    lease_token      = (SELECT gen_random_uuid()),
    lease_expires_at = coalesce(CAST(:now AS timestamptz), now()) + CAST(:lease_ms AS bigint) * interval '1 millisecond',
    started_at       = coalesce(CAST(:now AS timestamptz), now()),
    progress         = 0
WHERE j.id = ANY (ARRAY(SELECT id FROM picked))
RETURNING j.*
