-- designatedPetition: how many signature lines will be pre-filled, for "Sheet n of N" on every
-- sheet and for progress; a short read of its own before the first slice. The slices are separate
-- statements, so the generator compares this with the rows it read and fails the attempt (to be
-- retried) when the registry changed in between, rather than print a wrong N.
-- Lock: none. Index: voters_district_idx (county, AD), filtering party and status.
SELECT count(*)
FROM voters
WHERE county = :county
  AND assembly_district = :assemblyDistrict
  AND party = :party
  AND status = 'ACTIVE'
