-- lock_control: the first step of a limited claim. Locks the queue's control row until the
-- claim's transaction ends, so that claims of a limited queue run one at a time cluster-wide
-- and each counts what the previous one committed (the claim statement that follows takes a
-- fresh snapshot after this lock is granted). Unlimited queues never come here.
-- Locks: the one control row. Index: queue_control_pkey.
SELECT queue, paused_until, max_running, max_running_per_key, rate_limit,
       CAST(extract(epoch FROM rate_period) * 1000 AS bigint) AS rate_period_ms,
       paused_until > coalesce(CAST(:now AS timestamptz), clock_timestamp()) AS paused
FROM conveyor.queue_control
WHERE queue = :queue
FOR UPDATE
