-- voterImport's fence: the first statement of each of its short transactions (a staging batch, a
-- slice of the upsert, the end of an import). A row only while the attempt still holds the job
-- (running, same lease token); none means the lease was lost and the transaction rolls back.
-- FOR SHARE, not a plain read: a rescue (or a cancellation's end) updates the job row, so it waits
-- until this transaction ends, and a later attempt never starts while a slice of this one is
-- still to commit (so it sees the slice, or the slice never happened). The runtime's heartbeat
-- and progress writes wait too, at most one short transaction.
-- Lock: FOR SHARE on the job's queue_job row until commit. Index: queue_job_pkey.
SELECT 1
FROM conveyor.queue_job
WHERE id = :jobId AND state = 'running' AND lease_token = :token
FOR SHARE
