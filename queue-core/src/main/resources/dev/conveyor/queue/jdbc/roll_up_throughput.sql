-- roll_up_throughput: add the jobs finalized in (:from, :up_to] to the per-minute rollup and move
-- the mark to :up_to (after lock_throughput_mark.sql, in its transaction). :from is the mark, or
-- an hour before :up_to when the mark is older (the chart shows an hour; a cluster that was down
-- for a day does not read a day of rows at once).
-- Locks: the touched rollup rows; the mark row, already held. Index: queue_job_finalized_idx
-- (finalized_at) WHERE finalized_at IS NOT NULL, a range scan of the jobs finished since the last
-- rollup (one sampling period's worth); no index on queue_job is added for this.
WITH finished AS (
    SELECT queue, date_trunc('minute', finalized_at) AS minute,
           count(*) FILTER (WHERE state = 'completed') AS completed,
           count(*) FILTER (WHERE state = 'discarded') AS failed,
           count(*) FILTER (WHERE state = 'cancelled') AS cancelled
    FROM conveyor.queue_job
    WHERE finalized_at > CAST(:from AS timestamptz)
      AND finalized_at <= CAST(:up_to AS timestamptz)
    GROUP BY 1, 2
),
added AS (
    INSERT INTO conveyor.queue_throughput AS t (queue, minute, completed, failed, cancelled)
    SELECT queue, minute, completed, failed, cancelled FROM finished
    ON CONFLICT (queue, minute) DO UPDATE
    SET completed = t.completed + excluded.completed,
        failed    = t.failed + excluded.failed,
        cancelled = t.cancelled + excluded.cancelled
    RETURNING 1
)
UPDATE conveyor.queue_throughput_mark
SET counted_through = CAST(:up_to AS timestamptz)
RETURNING (SELECT count(*) FROM added) AS minutes
