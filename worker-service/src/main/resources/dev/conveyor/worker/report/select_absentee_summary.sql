-- absenteeReport, summary: applications per district (AD/ED), one count per status, in district
-- order. One row per district that has applications (a few thousand at most per county).
-- Lock: none. Index: absentee_applications_election_idx (election_date [+ status]), then
-- voters_pkey; grouped by hash or sort.
-- Absent filters are null and drop out; the driver sends the values, so the planner sees them.
SELECT v.assembly_district, v.election_district,
       count(*) FILTER (WHERE a.status = 'REQUESTED') AS requested,
       count(*) FILTER (WHERE a.status = 'SENT') AS sent,
       count(*) FILTER (WHERE a.status = 'RETURNED') AS returned,
       count(*) FILTER (WHERE a.status = 'ACCEPTED') AS accepted,
       count(*) FILTER (WHERE a.status = 'REJECTED') AS rejected,
       count(*) FILTER (WHERE a.status = 'CANCELLED') AS cancelled,
       count(*) AS total
FROM absentee_applications a
JOIN voters v ON v.id = a.voter_id
WHERE a.election_date = :electionDate
  AND v.county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR v.assembly_district = :assemblyDistrict)
  AND (CAST(:status AS text) IS NULL OR a.status = :status)
GROUP BY v.assembly_district, v.election_district
ORDER BY v.assembly_district, v.election_district
