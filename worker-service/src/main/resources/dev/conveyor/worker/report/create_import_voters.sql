-- voterImport: the file's valid records, staged for one upsert. Temporary and dropped at commit,
-- so a failed attempt leaves nothing behind and the next starts clean.
-- Lock: none (session-private table).
CREATE TEMPORARY TABLE import_voters (
    line              bigint   NOT NULL,
    state_voter_id    text     NOT NULL,
    first_name        text     NOT NULL,
    middle_name       text,
    last_name         text     NOT NULL,
    suffix            text,
    date_of_birth     date     NOT NULL,
    street_address    text     NOT NULL,
    city              text     NOT NULL,
    zip_code          text     NOT NULL,
    county            text     NOT NULL,
    assembly_district smallint NOT NULL,
    election_district smallint NOT NULL,
    party             text     NOT NULL,
    status            text     NOT NULL,
    registration_date date     NOT NULL
) ON COMMIT DROP
