-- The registry reports no longer stream their rows through one cursor in one long transaction
-- (issue 15): they read bounded slices, each a short statement of its own, continuing after the
-- last row read (keyset pagination). That needs an order that is unique and that an index reads
-- directly, so each slice starts where the previous one ended without sorting what came before.
-- The reports' order was already (county, AD, ED, last name, first name) with the voter id as the
-- tie-break; the id joins the index so the whole order is the index's. Replaced under the same
-- name (the old index is a prefix of the new one, so nothing that used it loses anything), in
-- one transaction, so no moment is without it.
DROP INDEX voters_district_idx;
CREATE INDEX voters_district_idx
    ON voters (county, assembly_district, election_district, last_name, first_name, id);
