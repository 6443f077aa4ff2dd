-- absenteeReport, detail: one slice of the applications in output order (district, then the
-- voter's name, then the application id), the :limit rows after the previous slice's last row
-- (keyset pagination). One short statement per slice, outside any transaction: no snapshot is held
-- between slices. The caller starts at (0, 0, '', '', 0), before every row.
-- The second row comparison is implied by the first; it is there because it is a range of
-- voters_district_idx (county, AD, ED, last_name, first_name, id), so a plan can start reading the
-- voters at the previous slice's position.
-- Lock: none. Index: absentee_applications_election_idx (election_date [+ status]) with
-- voters_pkey, then a top-N sort (memory bounded by :limit) of the applications after the
-- position; or voters_district_idx from the position with absentee_applications_voter_election_key
-- per voter; whichever the planner finds cheaper. The first plan joins what is left of the
-- election's applications in the county on every slice, so a report of n applications costs
-- about n^2 / (2 * :limit) joined rows in all (design-notes-worker.md, Issue 15.3).
-- Absent filters are null and drop out.
SELECT a.id, v.state_voter_id, v.last_name, v.first_name, v.assembly_district,
       v.election_district, a.requested_on, a.sent_on, a.returned_on, a.status
FROM absentee_applications a
JOIN voters v ON v.id = a.voter_id
WHERE a.election_date = :electionDate
  AND v.county = :county
  AND (CAST(:assemblyDistrict AS smallint) IS NULL OR v.assembly_district = :assemblyDistrict)
  AND (CAST(:status AS text) IS NULL OR a.status = :status)
  AND (v.assembly_district, v.election_district, v.last_name, v.first_name)
      >= (:afterAd, :afterEd, :afterLast, :afterFirst)
  AND (v.assembly_district, v.election_district, v.last_name, v.first_name, a.id)
      > (:afterAd, :afterEd, :afterLast, :afterFirst, :afterId)
ORDER BY v.assembly_district, v.election_district, v.last_name, v.first_name, a.id
LIMIT :limit
