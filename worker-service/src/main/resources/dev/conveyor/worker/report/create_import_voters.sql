-- voterImport: the file's valid records, staged for one upsert. Its columns are taken from voters
-- (no copy of their types to drift), plus the record's line. Temporary and dropped at commit, so
-- a failed attempt leaves nothing behind and the next starts clean.
-- Lock: ACCESS SHARE on voters (to read its definition); the table itself is session-private.
CREATE TEMPORARY TABLE import_voters ON COMMIT DROP AS
SELECT 0::bigint AS line, state_voter_id, first_name, middle_name, last_name, suffix,
       date_of_birth, street_address, city, zip_code, county, assembly_district,
       election_district, party, status, registration_date
FROM voters
WITH NO DATA
