-- voterList: one slice of the rows in output order (district, then name, then the voter id), the
-- :limit rows after the previous slice's last row (keyset pagination). One short statement per
-- slice, outside any transaction: no snapshot is held between slices.
-- The district filters are a range of the index, not a filter on it: the caller starts the first
-- slice before (:afterAd, :afterEd) = the filter's first district and bounds every slice by
-- (:lastAd, :lastEd) = its last (AD 1-150 and ED 1-999 when not filtered), so even a generic plan
-- (the driver prepares a statement run this often) reads only the filter's part of the index and
-- stops at its end. (ad, ed, '', '', 0) is before every row of that district: ids start at 1.
-- Lock: none. Index: voters_district_idx (county, AD, ED, last_name, first_name, id), read in
-- output order from the previous slice's position, no sort; party and status are filters.
-- Absent filters are null and drop out.
SELECT id, state_voter_id, last_name, first_name, middle_name, suffix, date_of_birth,
       street_address, city, zip_code, county, assembly_district, election_district,
       party, status, registration_date
FROM voters
WHERE county = :county
  AND (assembly_district, election_district, last_name, first_name, id)
      > (:afterAd, :afterEd, :afterLast, :afterFirst, :afterId)
  AND (assembly_district, election_district) <= (:lastAd, :lastEd)
  AND (CAST(:party AS text) IS NULL OR party = :party)
  AND (CAST(:status AS text) IS NULL OR status = :status)
ORDER BY assembly_district, election_district, last_name, first_name, id
LIMIT :limit
