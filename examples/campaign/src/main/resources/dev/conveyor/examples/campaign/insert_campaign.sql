-- insert_campaign: a new campaign with :pending messages to send (none: finished at once, which
-- campaign_finished_check requires). Locks: the new row. Index: none.
INSERT INTO campaigns.campaign (name, text, pending, finished_at)
VALUES (:name, :text, :pending, CASE WHEN :pending = 0 THEN now() END)
RETURNING id
