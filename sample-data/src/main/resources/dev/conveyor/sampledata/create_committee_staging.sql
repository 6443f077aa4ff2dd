-- Staging for committee seats: they name their voter by state voter id, because the voters' ids
-- are only known once PostgreSQL assigned them.
-- Lock: none (a temporary table, dropped at commit).
CREATE TEMPORARY TABLE sample_committee_members (
    seq               integer  NOT NULL,
    county            text     NOT NULL,
    assembly_district smallint NOT NULL,
    election_district smallint NOT NULL,
    party             text     NOT NULL,
    name              text     NOT NULL,
    role              text     NOT NULL,
    state_voter_id    text,
    term_start        date,
    term_end          date
) ON COMMIT DROP
