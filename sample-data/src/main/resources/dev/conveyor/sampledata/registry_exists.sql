-- Whether the voter registry tables exist (the migrations ran), resolved through search_path.
-- Lock: none. Index: none.
SELECT to_regclass('voters') IS NOT NULL
   AND to_regclass('county_committee_members') IS NOT NULL
   AND to_regclass('absentee_applications') IS NOT NULL
