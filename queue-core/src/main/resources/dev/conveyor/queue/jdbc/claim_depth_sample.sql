-- claim_depth_sample: whether this process takes this period's queue depth sample. It does when
-- it gets the sampling lock and the last sample is at least :due_ms old; it then stamps the sample
-- row as its own, and counts and stores the numbers in the same transaction. Otherwise it reads
-- the stored sample (find_queue_depth.sql). So the cluster samples once per period whatever the
-- number of processes, and when the sampling process dies the next process to look takes over.
-- Locks: pg_try_advisory_xact_lock(7165066986957401970) ('conveyor' in ASCII as a bigint): never
-- waits; held to the end of the transaction, so two processes never sample at once; transaction
-- scoped, so it works through a transaction pooler. Then the single row of queue_depth_sample,
-- written only by the lock holder, so that never waits either. If the row changed after this
-- statement's snapshot (a sampler committed just before), the UPDATE re-checks it on the new
-- version and finds it fresh.
-- Index: none (one row).
UPDATE conveyor.queue_depth_sample
SET sampled_at = coalesce(CAST(:now AS timestamptz), now()),
    sampled_by = :sampler
WHERE sampled_at <= coalesce(CAST(:now AS timestamptz), now()) - CAST(:due_ms AS bigint) * interval '1 millisecond'
  AND pg_try_advisory_xact_lock(7165066986957401970)
RETURNING sampled_at
