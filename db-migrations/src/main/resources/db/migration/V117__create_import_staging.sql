-- Issue 15.3 (voterImport in short transactions): the records of a voterImport upload, staged for
-- the upsert. They used to go into ON COMMIT DROP temporary tables inside the one transaction of
-- the whole import; now every batch of records is committed on its own (fenced on the attempt's
-- lease token) and the upsert runs in slices over these rows, each slice its own transaction, so
-- the rows must outlive a transaction and be visible to the job's next attempt (which resumes
-- after the last slice applied, from these very rows).
--
-- Keyed by the queue job that imports (one report, one job): every statement of an import reads
-- one job's rows by line, through the primary key. Rows are deleted after the import ends (by the
-- attempt, in bounded short deletes) and otherwise by the worker's sweep once the job is final or
-- gone. No foreign key to conveyor.queue_job: queue rows are pruned on their own schedule, and the
-- sweep deletes what they leave.
--
-- A row is either an accepted record (the voter's columns, typed as in voters; reject_reason NULL)
-- or a rejected one (reject_reason, and the fields as read, a JSON array of at most 15 strings, for
-- the summary's reject list). A slice turns an accepted record outside the key's counties into a
-- rejected one (issue 15.2), keeping its typed columns.
CREATE TABLE import_staging (
    job_id            bigint   NOT NULL,
    -- The record's starting line in the uploaded file (the header is line 1).
    line              bigint   NOT NULL,
    state_voter_id    text,
    first_name        text,
    middle_name       text,
    last_name         text,
    suffix            text,
    date_of_birth     date,
    street_address    text,
    city              text,
    zip_code          text,
    county            text,
    assembly_district smallint,
    election_district smallint,
    party             text,
    status            text,
    registration_date date,
    reject_reason     text,
    fields            jsonb,

    CONSTRAINT import_staging_pkey PRIMARY KEY (job_id, line),
    CONSTRAINT import_staging_record_check
        CHECK ((reject_reason IS NULL AND state_voter_id IS NOT NULL)
               OR (reject_reason IS NOT NULL AND jsonb_typeof(fields) = 'array'))
);

COMMENT ON TABLE import_staging IS
    'voterImport records staged for the upsert, per importing job; deleted when the import ends.';
