-- Fresh statistics after a bulk load, so the reports' first queries get good plans at once
-- rather than after autovacuum's next visit.
-- Lock: SHARE UPDATE EXCLUSIVE on the three tables (writers of schema wait, DML does not).
ANALYZE voters, county_committee_members, absentee_applications
