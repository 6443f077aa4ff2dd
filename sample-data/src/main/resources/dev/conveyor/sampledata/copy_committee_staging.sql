-- Loads the generated committee seats into their staging table.
-- Lock: none (temporary table). Index: none.
COPY sample_committee_members (seq, county, assembly_district, election_district, party, name,
                               role, state_voter_id, term_start, term_end)
FROM STDIN (FORMAT csv)
