-- ldCommittees: how many lines the report will have (members, plus a VACANCY line for each unfilled
-- seat), for progress only. An election district exists when a voter of the AD lives in it, or
-- when the party has a member there.
-- Lock: none. Index: voters_district_idx (county, AD → distinct EDs),
-- county_committee_members_district_idx (county, AD, party, ED).
WITH eds AS (
    SELECT DISTINCT election_district
    FROM voters
    WHERE county = :county AND assembly_district = :assemblyDistrict
    UNION
    SELECT election_district
    FROM county_committee_members
    WHERE county = :county AND assembly_district = :assemblyDistrict AND party = :party
), members AS (
    SELECT election_district, count(*) AS n
    FROM county_committee_members
    WHERE county = :county AND assembly_district = :assemblyDistrict AND party = :party
    GROUP BY election_district
)
SELECT coalesce(sum(greatest(CAST(:seats AS integer), coalesce(m.n, 0))), 0)
FROM eds e
LEFT JOIN members m USING (election_district)
