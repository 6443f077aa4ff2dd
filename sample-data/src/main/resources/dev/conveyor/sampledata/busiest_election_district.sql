-- The election district with the most voters (ties broken by name and numbers).
-- Lock: none. Index: voters_district_idx.
SELECT county, assembly_district, election_district, count(*) AS voters
FROM voters
GROUP BY county, assembly_district, election_district
ORDER BY voters DESC, county, assembly_district, election_district
LIMIT 1
