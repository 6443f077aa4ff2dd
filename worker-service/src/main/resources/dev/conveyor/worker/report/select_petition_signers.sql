-- designatedPetition: one slice of the party's active voters in the assembly district in
-- signature-line order (election district, then name, then the voter id), the :limit rows after
-- the previous slice's last row (keyset pagination). One short statement per slice, outside any
-- transaction: no snapshot is held between slices. The caller starts at (0, '', '', 0), before
-- every row (EDs start at 1, ids at 1).
-- Lock: none. Index: voters_district_idx (county, AD, ED, last_name, first_name, id), read in
-- output order from the previous slice's position, no sort; party and status are filters.
SELECT id, first_name, middle_name, last_name, suffix, street_address, city, zip_code,
       election_district
FROM voters
WHERE county = :county
  AND assembly_district = :assemblyDistrict
  AND (election_district, last_name, first_name, id)
      > (:afterEd, :afterLast, :afterFirst, :afterId)
  AND party = :party
  AND status = 'ACTIVE'
ORDER BY election_district, last_name, first_name, id
LIMIT :limit
