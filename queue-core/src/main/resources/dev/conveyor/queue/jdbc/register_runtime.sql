-- register_runtime: a worker runtime says it is alive (at start and on each registry heartbeat):
-- inserts its row, or refreshes heartbeat_at and slots_in_use (a row pruned while this process
-- was frozen comes back with a new started_at).
-- Locks: this runtime's own row. Index: worker_runtime_pkey.
INSERT INTO conveyor.worker_runtime
    (id, host, queues, slots, slots_in_use, heartbeat_interval, started_at, heartbeat_at)
VALUES (:id, :host, CAST(:queues AS text[]), :slots, :slots_in_use,
        CAST(:interval_ms AS bigint) * interval '1 millisecond', now(), now())
ON CONFLICT (id) DO UPDATE
SET host               = excluded.host,
    queues             = excluded.queues,
    slots              = excluded.slots,
    slots_in_use       = excluded.slots_in_use,
    heartbeat_interval = excluded.heartbeat_interval,
    heartbeat_at       = excluded.heartbeat_at
