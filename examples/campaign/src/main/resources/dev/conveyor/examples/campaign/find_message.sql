-- find_message: a message with its campaign's text, for its send job. Locks: none (the job's
-- lease keeps other workers off this message; a stale read only costs a duplicate send, which the
-- at-least-once queue allows anyway). Index: both primary keys.
SELECT m.id, m.campaign_id, m.recipient, m.status, c.text
FROM campaigns.message m
JOIN campaigns.campaign c ON c.id = m.campaign_id
WHERE m.id = :id
