-- Empties the registry before a replacing load; RESTART IDENTITY so that a replaced registry gets
-- the same ids as a fresh one (same size and seed, same rows, same ids).
-- Lock: ACCESS EXCLUSIVE on the three tables until commit (readers of the registry wait).
TRUNCATE absentee_applications, county_committee_members, voters RESTART IDENTITY
