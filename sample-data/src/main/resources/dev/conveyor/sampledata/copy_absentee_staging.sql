-- Loads the generated absentee applications into their staging table.
-- Lock: none (temporary table). Index: none.
COPY sample_absentee_applications (seq, state_voter_id, election_date, requested_on, sent_on,
                                   returned_on, status)
FROM STDIN (FORMAT csv)
