-- voterList: how many rows the report will have, for progress only (a short read of its own,
-- so it matches the rows read unless voters change meanwhile).
-- Lock: none. Index: voters_district_idx (county [+ AD [+ ED]]) or voters_county_party_idx.
-- Absent filters are null and drop out; the driver sends the values, so the planner sees them.
SELECT count(*)
FROM voters
WHERE county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR assembly_district = :assemblyDistrict)
  AND (CAST(:electionDistrict AS smallint) IS NULL OR election_district = :electionDistrict)
  AND (CAST(:party AS text) IS NULL OR party = :party)
  AND (CAST(:status AS text) IS NULL OR status = :status)
