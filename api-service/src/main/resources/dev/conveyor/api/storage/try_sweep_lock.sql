-- One retention sweep at a time in the whole cluster: each batch's transaction first takes this
-- transaction-level advisory lock, and a replica that does not get it leaves the round to the
-- one that has it. Released at commit or rollback, so a replica that dies holds nothing.
-- The key is a constant of our own (no other Conveyor code takes advisory locks).
-- Lock: advisory lock 0x636f6e7672657465 (ASCII "convrete", conveyor retention), transaction scope.
SELECT pg_try_advisory_xact_lock(7165066987174196325)
