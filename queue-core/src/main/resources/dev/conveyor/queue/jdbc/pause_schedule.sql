-- pause_schedule: pause (true) or resume (false) a recurring schedule; a paused one enqueues
-- nothing when due (lock_due_schedules.sql skips it). Returns the name; no row: no such schedule.
-- Locks: the one row. Index: recurring_schedule_pkey.
UPDATE conveyor.recurring_schedule
SET paused = :paused, updated_at = now()
WHERE name = :name
RETURNING name
