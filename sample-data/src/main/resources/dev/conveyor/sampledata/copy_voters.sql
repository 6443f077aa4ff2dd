-- Loads generated voters; ids come from the identity column, in file order.
-- Lock: ROW EXCLUSIVE on voters. Index: every index of voters is maintained as rows arrive.
COPY voters (state_voter_id, first_name, middle_name, last_name, suffix, date_of_birth,
             street_address, city, zip_code, county, assembly_district, election_district,
             party, status, registration_date, updated_at)
FROM STDIN (FORMAT csv)
