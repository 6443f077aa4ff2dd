-- designatedPetition: the party's active voters in the assembly district in signature-line order
-- (election district, then name), read through a cursor (fetch size set by the caller, inside a
-- transaction). Every row carries the total: the sheets print "Sheet n of N", and a separate count
-- could see other rows (each statement has its own snapshot under READ COMMITTED). The window
-- buffers the rows in the server (spilling to disk past work_mem), not in the worker.
-- Lock: none. Index: voters_district_idx (county, AD, ED, last_name, first_name), read in output
-- order, filtering party and status (an incremental sort adds the id tie-break).
SELECT first_name, middle_name, last_name, suffix, street_address, city, zip_code,
       election_district, count(*) OVER () AS total
FROM voters
WHERE county = :county
  AND assembly_district = :assemblyDistrict
  AND party = :party
  AND status = 'ACTIVE'
ORDER BY election_district, last_name, first_name, id
