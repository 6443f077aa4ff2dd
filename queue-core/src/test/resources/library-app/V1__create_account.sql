-- An application's own first migration, in its own Flyway history (public.flyway_schema_history):
-- version 1, the same number as the queue's V001, which lives in a history of its own.
CREATE TABLE account (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    CONSTRAINT account_email_key UNIQUE (email)
);
