-- absenteeReport, detail: the applications in output order (district, then the voter's name),
-- read through a cursor (fetch size set by the caller, inside a transaction).
-- Lock: none. Index: absentee_applications_election_idx (election_date [+ status]), then
-- voters_pkey; the order needs a sort (one election's applications of one county, spilling to
-- disk past work_mem rather than growing the worker's memory).
-- Absent filters are null and drop out; the driver sends the values, so the planner sees them.
SELECT v.state_voter_id, v.last_name, v.first_name, v.assembly_district, v.election_district,
       a.requested_on, a.sent_on, a.returned_on, a.status
FROM absentee_applications a
JOIN voters v ON v.id = a.voter_id
WHERE a.election_date = :electionDate
  AND v.county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR v.assembly_district = :assemblyDistrict)
  AND (CAST(:status AS text) IS NULL OR a.status = :status)
ORDER BY v.assembly_district, v.election_district, v.last_name, v.first_name, a.id
