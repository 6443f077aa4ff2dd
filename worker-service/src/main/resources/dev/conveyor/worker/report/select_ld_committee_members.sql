-- ldCommittees: every election district of the AD with the party's committee members in it (one
-- row with null member columns for a district without members), in output order: district, then
-- role (district leader, officers, members), then name. The member's address comes from their own
-- registration when voter_id links one. One short statement outside any transaction, read whole:
-- one AD's lines are bounded (at most 999 EDs with their members), unlike a voter list.
-- Lock: none. Index: voters_district_idx (county, AD → distinct EDs),
-- county_committee_members_district_idx (county, AD, party, ED), voters_pkey for addresses.
WITH eds AS (
    SELECT DISTINCT election_district
    FROM voters
    WHERE county = :county AND assembly_district = :assemblyDistrict
    UNION
    SELECT election_district
    FROM county_committee_members
    WHERE county = :county AND assembly_district = :assemblyDistrict AND party = :party
)
SELECT e.election_district, m.id AS member_id, m.role, m.name,
       v.street_address, v.city, v.zip_code
FROM eds e
LEFT JOIN county_committee_members m
       ON m.county = :county AND m.assembly_district = :assemblyDistrict AND m.party = :party
      AND m.election_district = e.election_district
LEFT JOIN voters v ON v.id = m.voter_id
ORDER BY e.election_district,
         CASE m.role WHEN 'DISTRICT_LEADER' THEN 0 WHEN 'CHAIR' THEN 1 WHEN 'VICE_CHAIR' THEN 2
                     WHEN 'SECRETARY' THEN 3 WHEN 'TREASURER' THEN 4 ELSE 5 END,
         m.name, m.id
