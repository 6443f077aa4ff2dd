-- voterImport: every staged voter inserted, or updated when a field differs (an unchanged voter
-- is not rewritten, so a repeated import creates no dead rows); counts what happened.
-- In state voter id order, so that two imports touching the same voters lock them in the same
-- order and cannot deadlock.
-- (xmax = 0) tells a freshly inserted row from an updated one: an inserted row version has no
-- deleting/locking transaction yet, while ON CONFLICT DO UPDATE stamps xmax with its own.
-- Lock: ROW EXCLUSIVE on voters; the updated rows until commit.
-- Index: voters_state_voter_id_key (the conflict target).
WITH upserted AS (
    INSERT INTO voters AS v (state_voter_id, first_name, middle_name, last_name, suffix,
                             date_of_birth, street_address, city, zip_code, county,
                             assembly_district, election_district, party, status,
                             registration_date)
    SELECT state_voter_id, first_name, middle_name, last_name, suffix, date_of_birth,
           street_address, city, zip_code, county, assembly_district, election_district, party,
           status, registration_date
    FROM import_voters
    ORDER BY state_voter_id
    ON CONFLICT (state_voter_id) DO UPDATE
    SET first_name = EXCLUDED.first_name, middle_name = EXCLUDED.middle_name,
        last_name = EXCLUDED.last_name, suffix = EXCLUDED.suffix,
        date_of_birth = EXCLUDED.date_of_birth, street_address = EXCLUDED.street_address,
        city = EXCLUDED.city, zip_code = EXCLUDED.zip_code, county = EXCLUDED.county,
        assembly_district = EXCLUDED.assembly_district,
        election_district = EXCLUDED.election_district, party = EXCLUDED.party,
        status = EXCLUDED.status, registration_date = EXCLUDED.registration_date,
        updated_at = now()
    WHERE (v.first_name, v.middle_name, v.last_name, v.suffix, v.date_of_birth,
           v.street_address, v.city, v.zip_code, v.county, v.assembly_district,
           v.election_district, v.party, v.status, v.registration_date)
          IS DISTINCT FROM
          (EXCLUDED.first_name, EXCLUDED.middle_name, EXCLUDED.last_name, EXCLUDED.suffix,
           EXCLUDED.date_of_birth, EXCLUDED.street_address, EXCLUDED.city, EXCLUDED.zip_code,
           EXCLUDED.county, EXCLUDED.assembly_district, EXCLUDED.election_district,
           EXCLUDED.party, EXCLUDED.status, EXCLUDED.registration_date)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)     AS inserted,
       count(*) FILTER (WHERE NOT inserted) AS updated
FROM upserted
