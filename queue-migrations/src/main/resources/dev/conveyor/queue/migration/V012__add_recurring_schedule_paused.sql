-- An operator can pause a recurring schedule (the console): a paused schedule enqueues nothing
-- when due. Its next_run_at keeps advancing past missed occurrences when it is resumed, by the
-- schedule's own missed policy, as after any downtime. Registering the schedule again at a
-- restart keeps the flag: it belongs to operators, not to the code that declares the schedule.
ALTER TABLE conveyor.recurring_schedule ADD COLUMN paused boolean NOT NULL DEFAULT false;
