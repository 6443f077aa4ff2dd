-- Business schema, part 2: the voter registry the reports read. It is loaded from the state's
-- voter file (and by voterImport reports); the API never writes it.
--
-- Districts are New York's: an election district (ED) sits inside an assembly district (AD)
-- inside a county. Party is the enrollment code as the voter file spells it (DEM, REP, CON,
-- WOR, OTH, BLK for not enrolled); kept as text with a CHECK rather than an enum type, because
-- adding a party to a CHECK is one forward migration while enum values cannot be removed.
CREATE TABLE voters (
    id                bigint      GENERATED ALWAYS AS IDENTITY,
    -- The state's voter id (SBOEID), stable across re-registrations.
    state_voter_id    text        NOT NULL,
    first_name        text        NOT NULL,
    middle_name       text,
    last_name         text        NOT NULL,
    suffix            text,
    date_of_birth     date        NOT NULL,
    street_address    text        NOT NULL,
    city              text        NOT NULL,
    zip_code          text        NOT NULL,
    county            text        NOT NULL,
    assembly_district smallint    NOT NULL,
    election_district smallint    NOT NULL,
    party             text        NOT NULL,
    status            text        NOT NULL,
    registration_date date        NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT voters_pkey PRIMARY KEY (id),
    CONSTRAINT voters_state_voter_id_key UNIQUE (state_voter_id),
    CONSTRAINT voters_assembly_district_check CHECK (assembly_district BETWEEN 1 AND 150),
    CONSTRAINT voters_election_district_check CHECK (election_district BETWEEN 1 AND 999),
    CONSTRAINT voters_party_check CHECK (party IN ('DEM', 'REP', 'CON', 'WOR', 'OTH', 'BLK')),
    CONSTRAINT voters_status_check CHECK (status IN ('ACTIVE', 'INACTIVE', 'PURGED', 'PREREG')),
    CONSTRAINT voters_zip_code_check CHECK (zip_code ~ '^[0-9]{5}(-[0-9]{4})?$'),
    CONSTRAINT voters_dates_check CHECK (registration_date >= date_of_birth)
);

-- voterList: county [+ AD [+ ED]] [+ party] [+ status], ordered by name. The trailing name
-- columns let the report read the index in output order.
CREATE INDEX voters_district_idx
    ON voters (county, assembly_district, election_district, last_name, first_name);
-- voterList by party across a whole county.
CREATE INDEX voters_county_party_idx ON voters (county, party, status);

CREATE TABLE county_committee_members (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    county            text     NOT NULL,
    assembly_district smallint NOT NULL,
    election_district smallint NOT NULL,
    party             text     NOT NULL,
    name              text     NOT NULL,
    role              text     NOT NULL DEFAULT 'MEMBER',
    -- The member's own registration, when matched; a member who moved away keeps the seat
    -- until the next election, so this may be null.
    voter_id          bigint,
    term_start        date,
    term_end          date,

    CONSTRAINT county_committee_members_pkey PRIMARY KEY (id),
    CONSTRAINT county_committee_members_voter_fkey FOREIGN KEY (voter_id) REFERENCES voters (id),
    CONSTRAINT county_committee_members_assembly_district_check CHECK (assembly_district BETWEEN 1 AND 150),
    CONSTRAINT county_committee_members_election_district_check CHECK (election_district BETWEEN 1 AND 999),
    CONSTRAINT county_committee_members_party_check CHECK (party IN ('DEM', 'REP', 'CON', 'WOR', 'OTH')),
    CONSTRAINT county_committee_members_role_check
        CHECK (role IN ('MEMBER', 'CHAIR', 'VICE_CHAIR', 'SECRETARY', 'TREASURER', 'DISTRICT_LEADER')),
    CONSTRAINT county_committee_members_term_check
        CHECK (term_end IS NULL OR term_start IS NULL OR term_end > term_start)
);

-- ldCommittees: one legislative (assembly) district of one party, listed by ED.
CREATE INDEX county_committee_members_district_idx
    ON county_committee_members (county, assembly_district, party, election_district);
CREATE INDEX county_committee_members_voter_idx
    ON county_committee_members (voter_id) WHERE voter_id IS NOT NULL;

CREATE TABLE absentee_applications (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    voter_id      bigint NOT NULL,
    election_date date   NOT NULL,
    requested_on  date   NOT NULL,
    sent_on       date,
    returned_on   date,
    status        text   NOT NULL DEFAULT 'REQUESTED',

    CONSTRAINT absentee_applications_pkey PRIMARY KEY (id),
    CONSTRAINT absentee_applications_voter_fkey FOREIGN KEY (voter_id) REFERENCES voters (id),
    -- One application per voter per election; a re-application updates the row.
    CONSTRAINT absentee_applications_voter_election_key UNIQUE (voter_id, election_date),
    CONSTRAINT absentee_applications_status_check
        CHECK (status IN ('REQUESTED', 'SENT', 'RETURNED', 'ACCEPTED', 'REJECTED', 'CANCELLED')),
    CONSTRAINT absentee_applications_sent_check CHECK (sent_on IS NULL OR sent_on >= requested_on),
    CONSTRAINT absentee_applications_returned_check
        CHECK (returned_on IS NULL OR (sent_on IS NOT NULL AND returned_on >= sent_on)),
    CONSTRAINT absentee_applications_status_dates_check
        CHECK (status NOT IN ('SENT', 'RETURNED', 'ACCEPTED') OR sent_on IS NOT NULL)
);

-- absenteeReport: one election, optionally one status; the voter join brings the county.
CREATE INDEX absentee_applications_election_idx
    ON absentee_applications (election_date, status, voter_id);

COMMENT ON TABLE voters IS 'The voter registry (state voter file), read by the reports.';
COMMENT ON TABLE county_committee_members IS 'Party county committee seats per election district.';
COMMENT ON TABLE absentee_applications IS 'Absentee ballot applications, one per voter and election.';
