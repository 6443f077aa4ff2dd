-- voterImport: one slice of the staged records, the :limit first after line :after (keyset on
-- the primary key), applied to the registry in the slice's own short transaction (fenced by
-- lock_import_attempt.sql; advance_registry_import.sql records its counts in the same
-- transaction). Every valid record of the slice is inserted, or updated when a field differs (an
-- unchanged voter is not rewritten, so a repeated import creates no dead rows); counts what
-- happened. Rejected records of the slice are only counted. The slice's size bounds the time
-- its locks and its transaction last, whatever the file's size.
-- In state voter id order, so that two imports touching the same voters lock them in the same
-- order and cannot deadlock.
-- (xmax = 0) tells a freshly inserted row from an updated one: an inserted row version has no
-- deleting/locking transaction yet, while ON CONFLICT DO UPDATE stamps xmax with its own.
-- County scope (issue 15.2): unless :everyCounty, a record is imported only when its county and
-- the current county of the voter it names (if any) are both in :counties (lower case); the others
-- become rejected records (reason, fields) in this same statement. The ON CONFLICT update checks
-- the current county again on the row version it locked, so a voter moved out of the scope by a
-- concurrent import after this statement's snapshot is left alone too (counted unchanged then).
-- Lock: ROW EXCLUSIVE on voters and import_staging; the upserted voters and the slice's
-- out-of-scope staging rows until commit.
-- Index: import_staging_pkey (the slice); voters_state_voter_id_key (the conflict target and the
-- scope's look-up of the current county). Without a scope the look-up's condition is false from
-- the start (NOT :everyCounty) and it reads no voter.
WITH slice AS MATERIALIZED (
    SELECT s.*
    FROM import_staging s
    WHERE s.job_id = :jobId AND s.line > :after
    ORDER BY s.line
    LIMIT :limit
),
staged AS MATERIALIZED (
    SELECT i.*, v.county AS current_county,
           (:everyCounty OR lower(i.county) = ANY (:counties)) AS county_in_scope,
           (:everyCounty OR v.county IS NULL OR lower(v.county) = ANY (:counties))
               AS current_in_scope
    FROM slice i
    LEFT JOIN voters v ON NOT :everyCounty AND v.state_voter_id = i.state_voter_id
    WHERE i.reject_reason IS NULL
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
    UPDATE import_staging s
    SET reject_reason =
            CASE WHEN NOT st.current_in_scope
                 THEN 'State Voter ID is a voter of ' || st.current_county
                      || ', outside the counties of this key (' || :scope || ')'
                 ELSE 'County ' || st.county || ' is outside the counties of this key ('
                      || :scope || ')'
            END,
        fields = jsonb_build_array(st.state_voter_id, st.last_name, st.first_name,
                                   st.middle_name, st.suffix,
                                   to_char(st.date_of_birth, 'YYYY-MM-DD'), st.street_address,
                                   st.city, st.zip_code, st.county,
                                   st.assembly_district::text, st.election_district::text,
                                   st.party, st.status,
                                   to_char(st.registration_date, 'YYYY-MM-DD'))
    FROM staged st
    WHERE s.job_id = :jobId AND s.line = st.line
      AND NOT (st.county_in_scope AND st.current_in_scope)
    RETURNING 1
)
SELECT (SELECT count(*) FROM slice)                              AS slice_rows,
       coalesce((SELECT max(line) FROM slice), :after)           AS last_line,
       (SELECT count(*) FROM slice WHERE reject_reason IS NOT NULL) AS invalid,
       (SELECT count(*) FROM upserted WHERE inserted)            AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted)        AS updated,
       (SELECT count(*) FROM out_of_scope)                       AS out_of_scope
