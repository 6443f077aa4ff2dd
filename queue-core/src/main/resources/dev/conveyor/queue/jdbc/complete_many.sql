-- complete_many: mark finished attempts completed, many at once.
-- Fenced: a row changes only while it is still running under the token of the attempt that
-- finished; ids missing from the result lost their lease (rescued, released or cancelled).
-- Locks: row locks on the completed rows, taken by the UPDATE. Index: queue_job_pkey.
-- Binding: :ids in any order, :tokens the batch's distinct lease tokens, :token_at[i] the 1-based
-- position in :tokens of the token of :ids[i]. A claim draws one token for all its jobs, so a
-- batch has a handful of tokens; both number arrays travel in binary. The ids need no sorting
-- here (the other batched writes bind them sorted): the CTE locks nothing, and the UPDATE's index
-- scan takes the array's elements in key order whatever their order in the array.
-- Plan: the MATERIALIZED CTE walks the arrays and, per element, looks the row up by primary key
-- and keeps it if it is running under that exact (id, token) pair. OFFSET 0 keeps that LATERAL
-- subquery a per-id look-up: never flattened into a join whose shape would depend on the
-- statistics. The UPDATE then finds those rows by id = ANY(array), an index scan that reads (and
-- locks) them in id order. Except in a plan made while the table had a page or two: there both
-- read the whole table, the CTE once per id. So the repository never server-prepares this
-- statement (nor extend_leases and release_many): PostgreSQL plans it at each execution for the
-- table as it is then, and a cached plan made on a quiet, nearly empty table cannot outlive a
-- burst of jobs (one such completion of 500 jobs took 1.5 s; design-notes-queue.md, "plans made on
-- an empty table"). Planning costs about 0.1-0.4 ms per statement, i.e. per batch.
-- Why the UPDATE checks state and token again, and why "token among this batch's tokens" is
-- exact there: it only matters for a row that changed after the statement's snapshot, which the
-- UPDATE re-reads (READ COMMITTED). Such a row was rescued (not running: refused) or claimed
-- anew, under a token drawn by a claim that committed after the snapshot; every token in this
-- batch comes from a claim that committed before it (one of its jobs has already finished), so
-- the new token is never among them. Without a locking clause in the CTE, the rows are locked
-- once, by the write: a FOR NO KEY UPDATE there (the form before, session 10) locked each row a
-- second time, ~0.7 us of the ~8.5 us a completion cost PostgreSQL per job.
-- Why not UPDATE ... FROM unnest(...) (the form before that): its plan depends on the statistics.
-- Right after an ANALYZE that saw no running job, PostgreSQL estimated one running row, scanned
-- the table for it and joined the array in a nested loop: 190 ms for 1,000 ids instead of 9 ms
-- (O(ids x running)), slow enough for leases to run out (docs/benchmarks.md, "Session 10").
-- Nor an ORDER BY id FOR UPDATE CTE over the whole set: tried in session 8, and at 200 slots its
-- completions fell over a minute behind the handlers.
WITH held AS MATERIALIZED (
    SELECT q.id
    FROM unnest(CAST(:ids AS bigint[]), CAST(:token_at AS int[])) AS c(id, token_at)
    CROSS JOIN LATERAL (
        SELECT q.id
        FROM conveyor.queue_job q
        WHERE q.id = c.id
          AND q.state = 'running'
          AND q.lease_token = (CAST(:tokens AS uuid[]))[c.token_at]
        OFFSET 0
    ) q
)
UPDATE conveyor.queue_job j
SET state            = 'completed',
    finalized_at     = coalesce(CAST(:now AS timestamptz), now()),
    lease_expires_at = NULL,
    progress         = 100
WHERE j.id = ANY (ARRAY(SELECT id FROM held))
  AND j.state = 'running'
  AND j.lease_token = ANY (CAST(:tokens AS uuid[]))
RETURNING j.id
