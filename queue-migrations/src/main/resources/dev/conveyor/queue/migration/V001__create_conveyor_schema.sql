-- The queue lives in its own schema so that it never collides with an application's
-- tables and can be granted, dumped or dropped as one unit.
CREATE SCHEMA IF NOT EXISTS conveyor;

-- Schema generation that queue-core checks at start (see SchemaCheck): a runtime refuses
-- to work against a queue schema older or newer than the one it was written for, with a
-- clear message, instead of failing later on a missing column. Bump it in the migration
-- that changes anything queue-core reads or writes.
CREATE TABLE conveyor.queue_schema (
    version    integer     NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queue_schema_single_row_check CHECK (version > 0)
);
CREATE UNIQUE INDEX queue_schema_single_row_idx ON conveyor.queue_schema ((true));
INSERT INTO conveyor.queue_schema (version) VALUES (1);
