-- Moves the staged applications into absentee_applications with their voters' ids, in
-- generation order.
-- Lock: ROW EXCLUSIVE on absentee_applications. Index: voters_state_voter_id_key (the join).
INSERT INTO absentee_applications (voter_id, election_date, requested_on, sent_on, returned_on,
                                   status)
SELECT v.id, s.election_date, s.requested_on, s.sent_on, s.returned_on, s.status
FROM sample_absentee_applications s
JOIN voters v ON v.state_voter_id = s.state_voter_id
ORDER BY s.seq
