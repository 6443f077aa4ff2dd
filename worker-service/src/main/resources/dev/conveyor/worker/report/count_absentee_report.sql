-- absenteeReport: how many applications and how many districts (AD/ED) the report will list, for
-- progress only (a short read of its own).
-- Lock: none. Index: absentee_applications_election_idx (election_date [+ status]), then
-- voters_pkey for the county and district.
-- Absent filters are null and drop out; the driver sends the values, so the planner sees them.
SELECT count(*) AS applications,
       count(DISTINCT (v.assembly_district, v.election_district)) AS districts
FROM absentee_applications a
JOIN voters v ON v.id = a.voter_id
WHERE a.election_date = :electionDate
  AND v.county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR v.assembly_district = :assemblyDistrict)
  AND (CAST(:status AS text) IS NULL OR a.status = :status)
