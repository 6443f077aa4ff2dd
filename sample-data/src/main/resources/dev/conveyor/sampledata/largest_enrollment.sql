-- The assembly district and party with the most active enrolled voters: the largest
-- designatedPetition a benchmark can ask for (BLK is no party, so it has no petitions).
-- Lock: none. Index: voters_county_party_idx.
SELECT county, assembly_district, party, count(*) AS voters
FROM voters
WHERE status = 'ACTIVE' AND party <> 'BLK'
GROUP BY county, assembly_district, party
ORDER BY voters DESC, county, assembly_district, party
LIMIT 1
