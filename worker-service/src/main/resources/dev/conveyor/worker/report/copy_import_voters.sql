-- voterImport: one batch of valid records into the staging table.
-- Lock: none (temporary table). Index: none.
COPY import_voters (line, state_voter_id, first_name, middle_name, last_name, suffix,
                    date_of_birth, street_address, city, zip_code, county, assembly_district,
                    election_district, party, status, registration_date)
FROM STDIN (FORMAT csv)
