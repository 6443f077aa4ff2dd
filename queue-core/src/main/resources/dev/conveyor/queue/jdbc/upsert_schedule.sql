-- upsert_schedule: register a schedule declared in code or configuration. A changed cron or time
-- zone restarts it from :next_run_at; otherwise the stored next occurrence is kept, so a
-- restart or another replica registering the same schedule never moves it.
-- Locks: the one schedule row. Index: recurring_schedule_pkey.
INSERT INTO conveyor.recurring_schedule
    (name, cron, time_zone, kind, payload, queue, priority, max_attempts, missed_policy,
     next_run_at, updated_at)
VALUES (:name, :cron, :time_zone, :kind, CAST(:payload AS jsonb), :queue, :priority,
        :max_attempts, :missed_policy, CAST(:next_run_at AS timestamptz), now())
ON CONFLICT (name) DO UPDATE
SET next_run_at   = CASE
                        WHEN recurring_schedule.cron <> EXCLUDED.cron
                          OR recurring_schedule.time_zone <> EXCLUDED.time_zone
                        THEN EXCLUDED.next_run_at
                        ELSE recurring_schedule.next_run_at END,
    cron          = EXCLUDED.cron,
    time_zone     = EXCLUDED.time_zone,
    kind          = EXCLUDED.kind,
    payload       = EXCLUDED.payload,
    queue         = EXCLUDED.queue,
    priority      = EXCLUDED.priority,
    max_attempts  = EXCLUDED.max_attempts,
    missed_policy = EXCLUDED.missed_policy,
    updated_at    = now()
