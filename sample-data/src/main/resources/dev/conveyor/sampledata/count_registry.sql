-- Row counts of the registry, for the summary.
-- Lock: none. Index: none (three counts; the registry is loaded, not live, when this runs).
SELECT (SELECT count(*) FROM voters)                   AS voters,
       (SELECT count(*) FROM county_committee_members) AS committee_members,
       (SELECT count(*) FROM absentee_applications)    AS absentee_applications
