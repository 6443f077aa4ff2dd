-- Staging for absentee applications, keyed by state voter id (see create_committee_staging.sql).
-- Lock: none (a temporary table, dropped at commit).
CREATE TEMPORARY TABLE sample_absentee_applications (
    seq            integer NOT NULL,
    state_voter_id text    NOT NULL,
    election_date  date    NOT NULL,
    requested_on   date    NOT NULL,
    sent_on        date,
    returned_on    date,
    status         text    NOT NULL
) ON COMMIT DROP
