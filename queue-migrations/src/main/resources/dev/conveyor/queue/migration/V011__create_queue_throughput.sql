-- Jobs finished per queue and minute, for the console's chart of the last hour. Counting them
-- from conveyor.queue_job on every page view would read every row finalized in the hour (an
-- index on (queue, state, finalized_at) would make every claim and completion pay for it). So
-- the process that takes the cluster's depth sample (QueueDepthSampler, once per period under
-- its lock) also adds the jobs finalized since the last high-water mark, read through the
-- existing queue_job_finalized_idx, to this rollup. A row per queue and minute with a finish;
-- rows older than a day are deleted by the same rollup.
CREATE TABLE conveyor.queue_throughput (
    queue     text        NOT NULL,
    minute    timestamptz NOT NULL,
    completed bigint      NOT NULL DEFAULT 0,
    -- Discarded: failed for good (dead). Retries are not failures here: the job is not finished.
    failed    bigint      NOT NULL DEFAULT 0,
    cancelled bigint      NOT NULL DEFAULT 0,

    CONSTRAINT queue_throughput_pkey PRIMARY KEY (queue, minute),
    CONSTRAINT queue_throughput_counts_check CHECK (completed >= 0 AND failed >= 0 AND cancelled >= 0),
    CONSTRAINT queue_throughput_minute_check CHECK (minute = date_trunc('minute', minute))
);

COMMENT ON TABLE conveyor.queue_throughput IS
    'Jobs completed/failed/cancelled per queue and minute (finalized_at), rolled up by the depth sampler.';

-- The high-water mark: jobs finalized at or before counted_through are in the rollup. One row.
-- It starts at the migration's time, so an existing table's history is not counted at once.
CREATE TABLE conveyor.queue_throughput_mark (
    counted_through timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX queue_throughput_mark_single_row_idx ON conveyor.queue_throughput_mark ((true));
INSERT INTO conveyor.queue_throughput_mark DEFAULT VALUES;

COMMENT ON TABLE conveyor.queue_throughput_mark IS
    'Jobs finalized up to counted_through are in conveyor.queue_throughput (one row).';
