-- notify_queues: wake the workers of these queues now (NOTIFY conveyor_job, payload = queue), one
-- notification per queue. Run outside any transaction by EnqueueNotifier, after the enqueues it
-- stands for have committed, so a worker that wakes always finds their jobs.
-- Locks: the NOTIFY queue lock, for the length of this tiny transaction. Index: none.
SELECT count(pg_notify('conveyor_job', q))
FROM unnest(CAST(:queues AS text[])) AS q
