-- lock_throughput_mark: the throughput rollup's high-water mark, locked until the rollup's
-- transaction ends, so that two rollups (a sampler taking over from a slow one) never count the
-- same jobs twice: the second waits, then reads the mark the first moved.
-- Locks: the one row of queue_throughput_mark. Index: none (one row).
SELECT counted_through,
       -- Jobs finalized in the last :lag_ms may belong to transactions not committed yet
       -- (finalized_at is the writer's transaction time): leave them to the next rollup.
       coalesce(CAST(:now AS timestamptz), now()) - CAST(:lag_ms AS bigint) * interval '1 millisecond' AS up_to
FROM conveyor.queue_throughput_mark
FOR UPDATE
