-- The claim: WHERE state = 'available' AND queue = ? AND run_at <= now()
--            ORDER BY priority, run_at, id LIMIT n FOR UPDATE SKIP LOCKED.
-- Partial on 'available' so the index holds only waiting jobs (small, hot in cache) no matter
-- how many finished rows the table keeps until pruning. The claim reads it in order and stops
-- after n rows; run_at is filtered inside the index.
CREATE INDEX queue_job_claim_idx
    ON conveyor.queue_job (queue, priority, run_at, id)
    WHERE state = 'available';

-- The rescuer looks for running jobs whose lease expired. The running set is bounded by the
-- total worker concurrency, so indexing the state alone is enough; lease_expires_at is left out
-- of every index on purpose, so that heartbeats (which only move it) stay HOT updates.
CREATE INDEX queue_job_running_idx
    ON conveyor.queue_job (id)
    WHERE state = 'running';

-- Unique keys hold only among unfinished jobs: a finished job frees its key. The ON CONFLICT
-- of the enqueue infers exactly this index (same column, same predicate).
CREATE UNIQUE INDEX queue_job_unique_key_idx
    ON conveyor.queue_job (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running');

-- Look-up by key, finished jobs included (the latest job that used the key).
CREATE INDEX queue_job_unique_key_lookup_idx
    ON conveyor.queue_job (unique_key, id)
    WHERE unique_key IS NOT NULL;

-- The pruner deletes finished jobs oldest first, in small batches.
CREATE INDEX queue_job_finalized_idx
    ON conveyor.queue_job (finalized_at)
    WHERE finalized_at IS NOT NULL;

-- Operators list dead jobs newest first; the set is small and rarely changes.
CREATE INDEX queue_job_discarded_idx
    ON conveyor.queue_job (queue, id)
    WHERE state = 'discarded';
