-- Live worker runtimes, for operators (the console's overview): each WorkerRuntime inserts its row
-- at start, updates heartbeat_at and slots_in_use on a timer, and deletes it on a clean stop. A
-- runtime that died without stopping leaves its row behind; whichever runtime heartbeats next
-- deletes rows that missed ten heartbeats (see queue-core's RuntimeRegistry), so no sweeper of
-- its own is needed and the table stays as small as the fleet.
-- Nothing in the queue's mechanics reads this table: a claim, a lease or a rescue never depends
-- on it, so a lost heartbeat here is only a stale line on a page.
CREATE TABLE conveyor.worker_runtime (
    id           text        NOT NULL,
    host         text        NOT NULL,
    queues       text[]      NOT NULL,
    -- Handler slots over all its queues, and how many run a handler now (as of heartbeat_at).
    slots        integer     NOT NULL,
    slots_in_use integer     NOT NULL DEFAULT 0,
    -- How often it heartbeats: rows older than ten of these are pruned.
    heartbeat_interval interval NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT worker_runtime_pkey PRIMARY KEY (id),
    CONSTRAINT worker_runtime_id_check CHECK (char_length(id) BETWEEN 1 AND 256),
    CONSTRAINT worker_runtime_host_check CHECK (char_length(host) <= 256),
    CONSTRAINT worker_runtime_slots_check CHECK (slots >= 0 AND slots_in_use >= 0),
    CONSTRAINT worker_runtime_heartbeat_interval_check CHECK (heartbeat_interval > interval '0')
);

COMMENT ON TABLE conveyor.worker_runtime IS
    'Worker runtimes alive now (heartbeat); rows missing ten heartbeats are pruned by the others.';

-- queue-core of this generation registers its runtimes here.
UPDATE conveyor.queue_schema SET version = 4, applied_at = now();
