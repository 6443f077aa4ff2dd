-- The settler's sweep runs on one API replica at a time: true if this transaction now holds the
-- sweep's advisory lock (released at commit or rollback), false if another replica's sweep holds
-- it (this replica then skips its turn instead of repeating the same work at the same moment).
-- The key is a constant of the API's own ('conveyor.ReportSettler', as two int4).
-- Lock: a transaction-level advisory lock, no row. Index: none.
SELECT pg_try_advisory_xact_lock(CAST(:classId AS integer), CAST(:objectId AS integer))
