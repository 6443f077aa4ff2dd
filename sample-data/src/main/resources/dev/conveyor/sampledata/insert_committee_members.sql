-- Moves the staged seats into county_committee_members, resolving each linked member's voter id;
-- in generation order, so that ids are deterministic too.
-- Lock: ROW EXCLUSIVE on county_committee_members. Index: voters_state_voter_id_key (the join).
INSERT INTO county_committee_members (county, assembly_district, election_district, party, name,
                                      role, voter_id, term_start, term_end)
SELECT s.county, s.assembly_district, s.election_district, s.party, s.name, s.role, v.id,
       s.term_start, s.term_end
FROM sample_committee_members s
LEFT JOIN voters v ON v.state_voter_id = s.state_voter_id
ORDER BY s.seq
