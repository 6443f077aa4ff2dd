-- voterList: the rows in output order (district, then name), read through a cursor (fetch size
-- set by the caller, inside a transaction).
-- Lock: none. Index: voters_district_idx, whose trailing name columns give the output order
-- (an incremental sort adds the id tie-break).
-- Absent filters are null and drop out; the driver sends the values, so the planner sees them.
SELECT state_voter_id, last_name, first_name, middle_name, suffix, date_of_birth,
       street_address, city, zip_code, county, assembly_district, election_district,
       party, status, registration_date
FROM voters
WHERE county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR assembly_district = :assemblyDistrict)
  AND (CAST(:electionDistrict AS smallint) IS NULL OR election_district = :electionDistrict)
  AND (CAST(:party AS text) IS NULL OR party = :party)
  AND (CAST(:status AS text) IS NULL OR status = :status)
ORDER BY assembly_district, election_district, last_name, first_name, id
