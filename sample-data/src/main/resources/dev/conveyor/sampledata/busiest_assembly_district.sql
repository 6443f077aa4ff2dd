-- The assembly district with the most voters (ties: first county and district by name and
-- number), for tests and benchmarks to aim at.
-- Lock: none. Index: voters_district_idx (an index-only scan once the visibility map is set).
SELECT county, assembly_district, count(*) AS voters
FROM voters
GROUP BY county, assembly_district
ORDER BY voters DESC, county, assembly_district
LIMIT 1
