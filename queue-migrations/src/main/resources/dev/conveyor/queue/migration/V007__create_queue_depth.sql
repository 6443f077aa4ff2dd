-- The queue depth, sampled by one process of the cluster per period and read by all of them.
-- Counting the waiting jobs in every API and worker process every few seconds multiplied the
-- cost by the number of replicas; now the process that wins the sampling lock (a transaction
-- advisory lock, so it works through a transaction pooler) counts, writes the numbers here, and
-- every process exports them as its conveyor.queue.depth and conveyor.queue.oldest.age gauges.
-- A sample older than the period is taken over by whichever process looks next, so a dead
-- sampler is replaced without a leader election. See queue-core's QueueDepthSampler.

-- When the last sample was taken and by whom: one row, written by the sampler that claims a
-- period. '-infinity' until the first sample, so the first process to look samples at once.
CREATE TABLE conveyor.queue_depth_sample (
    sampled_at timestamptz NOT NULL DEFAULT '-infinity',
    sampled_by text        NOT NULL DEFAULT '',
    CONSTRAINT queue_depth_sample_sampled_by_check CHECK (char_length(sampled_by) <= 256)
);
CREATE UNIQUE INDEX queue_depth_sample_single_row_idx ON conveyor.queue_depth_sample ((true));
INSERT INTO conveyor.queue_depth_sample DEFAULT VALUES;

COMMENT ON TABLE conveyor.queue_depth_sample IS
    'When the queue depth was last sampled (one row); see conveyor.queue_depth.';

-- The last sample, one row per queue with jobs runnable at that time (a queue missing here had
-- none). jobs is exact up to the sampler's limit; above it, estimated is true and jobs is the
-- query planner's estimate, since an exact count costs one index entry per waiting job.
CREATE TABLE conveyor.queue_depth (
    queue          text             NOT NULL,
    jobs           bigint           NOT NULL,
    estimated      boolean          NOT NULL,
    oldest_seconds double precision NOT NULL,

    CONSTRAINT queue_depth_pkey PRIMARY KEY (queue),
    CONSTRAINT queue_depth_jobs_check CHECK (jobs >= 0),
    CONSTRAINT queue_depth_oldest_seconds_check CHECK (oldest_seconds >= 0)
);

COMMENT ON TABLE conveyor.queue_depth IS
    'Jobs runnable per queue as of conveyor.queue_depth_sample.sampled_at; exact unless estimated.';

-- queue-core of this generation samples into these tables.
UPDATE conveyor.queue_schema SET version = 3, applied_at = now();
