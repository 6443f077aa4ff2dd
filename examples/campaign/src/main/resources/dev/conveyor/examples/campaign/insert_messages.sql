-- insert_messages: one pending message per recipient of campaign :campaign_id, in one statement
-- (the recipients come as one text[] parameter, not one statement each).
-- Locks: the new rows, and a KEY SHARE lock on the campaign row (foreign key).
-- Index: message_campaign_id_recipient_key (the uniqueness check).
INSERT INTO campaigns.message (campaign_id, recipient)
SELECT :campaign_id, r.recipient
FROM unnest(CAST(:recipients AS text[])) WITH ORDINALITY AS r(recipient, n)
ORDER BY r.n
RETURNING id, recipient
