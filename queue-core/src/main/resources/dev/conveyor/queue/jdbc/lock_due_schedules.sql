-- lock_due_schedules: the schedules among :names whose next occurrence is due, locked until the
-- caller's transaction ends. A paused schedule (V012) is never due. SKIP LOCKED: another replica firing one of them right now keeps it,
-- and this one sees it advanced next time. Locks: the due rows. Index: recurring_schedule_pkey.
SELECT name, next_run_at, coalesce(CAST(:now AS timestamptz), now()) AS db_now
FROM conveyor.recurring_schedule
WHERE name = ANY (CAST(:names AS text[]))
  AND NOT paused
  AND next_run_at <= coalesce(CAST(:now AS timestamptz), now())
ORDER BY next_run_at
FOR UPDATE SKIP LOCKED
