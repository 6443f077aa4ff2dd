-- voterImport: every staged voter inserted, or updated when a field differs (an unchanged voter
-- is not rewritten, so a repeated import creates no dead rows); counts what happened.
-- In state voter id order, so that two imports touching the same voters lock them in the same
-- order and cannot deadlock.
-- (xmax = 0) tells a freshly inserted row from an updated one: an inserted row version has no
-- deleting/locking transaction yet, while ON CONFLICT DO UPDATE stamps xmax with its own.
-- County scope (issue 15.2): unless :everyCounty, a record is imported only when its county and
-- the current county of the voter it names (if any) are both in :counties (lower case); the others
-- go to import_rejects with the reason, in this same statement. The ON CONFLICT update checks the
-- current county again on the row version it locked, so a voter moved out of the scope by a
-- concurrent import after this statement's snapshot is left alone too (counted unchanged then).
-- Lock: ROW EXCLUSIVE on voters; the updated rows until commit.
-- Index: voters_state_voter_id_key (the conflict target; the scope's look-up of the current
-- county too for a small file, a hash join over voters for a large one). Without a scope the
-- look-up's condition is false from the start (NOT :everyCounty) and it reads no voter.
WITH staged AS MATERIALIZED (
    SELECT i.*, v.county AS current_county,
           (:everyCounty OR lower(i.county) = ANY (:counties)) AS county_in_scope,
           (:everyCounty OR v.county IS NULL OR lower(v.county) = ANY (:counties))
               AS current_in_scope
    FROM import_voters i
    LEFT JOIN voters v ON NOT :everyCounty AND v.state_voter_id = i.state_voter_id
),
upserted AS (
    INSERT INTO voters AS v (state_voter_id, first_name, middle_name, last_name, suffix,
                             date_of_birth, street_address, city, zip_code, county,
                             assembly_district, election_district, party, status,
                             registration_date)
    SELECT state_voter_id, first_name, middle_name, last_name, suffix, date_of_birth,
           street_address, city, zip_code, county, assembly_district, election_district, party,
           status, registration_date
    FROM staged
    WHERE county_in_scope AND current_in_scope
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
    WHERE (:everyCounty OR lower(v.county) = ANY (:counties))
      AND (v.first_name, v.middle_name, v.last_name, v.suffix, v.date_of_birth,
           v.street_address, v.city, v.zip_code, v.county, v.assembly_district,
           v.election_district, v.party, v.status, v.registration_date)
          IS DISTINCT FROM
          (EXCLUDED.first_name, EXCLUDED.middle_name, EXCLUDED.last_name, EXCLUDED.suffix,
           EXCLUDED.date_of_birth, EXCLUDED.street_address, EXCLUDED.city, EXCLUDED.zip_code,
           EXCLUDED.county, EXCLUDED.assembly_district, EXCLUDED.election_district,
           EXCLUDED.party, EXCLUDED.status, EXCLUDED.registration_date)
    RETURNING (xmax = 0) AS inserted
),
out_of_scope AS (
    INSERT INTO import_rejects (line, reason, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12,
                                c13, c14, c15)
    SELECT line,
           CASE WHEN NOT current_in_scope
                THEN 'State Voter ID is a voter of ' || current_county
                     || ', outside the counties of this key (' || :scope || ')'
                ELSE 'County ' || county || ' is outside the counties of this key ('
                     || :scope || ')'
           END,
           state_voter_id, last_name, first_name, middle_name, suffix,
           to_char(date_of_birth, 'YYYY-MM-DD'), street_address, city, zip_code, county,
           assembly_district::text, election_district::text, party, status,
           to_char(registration_date, 'YYYY-MM-DD')
    FROM staged
    WHERE NOT (county_in_scope AND current_in_scope)
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted WHERE inserted)     AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM out_of_scope)                AS rejected
