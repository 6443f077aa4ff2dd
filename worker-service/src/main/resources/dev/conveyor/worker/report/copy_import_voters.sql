-- voterImport: one batch of valid records into the staging table, in the batch's own short
-- transaction (after lock_import_attempt.sql fenced it on the attempt's lease token).
-- Lock: ROW EXCLUSIVE on import_staging; the new rows. Index: import_staging_pkey (a line is
-- staged once per job: a leftover of another attempt would be a conflict, never a duplicate).
COPY import_staging (job_id, line, state_voter_id, first_name, middle_name, last_name, suffix,
                     date_of_birth, street_address, city, zip_code, county, assembly_district,
                     election_district, party, status, registration_date)
FROM STDIN (FORMAT csv)
