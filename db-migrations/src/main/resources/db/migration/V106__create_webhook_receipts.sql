-- Signed worker callbacks (Standard Webhooks) are applied once per webhook-id: the id is
-- recorded in the transaction that applies the event, so a redelivery finds it and changes
-- nothing, and a failed application leaves no trace and can be retried.
--
-- Ids only need keeping while a replay could still pass the timestamp check: a message is
-- accepted within the tolerance (default 5 minutes) either side of its timestamp, so the API
-- prunes receipts older than a retention of at least twice the tolerance.
CREATE TABLE webhook_receipts (
    webhook_id  text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT webhook_receipts_pkey PRIMARY KEY (webhook_id),
    CONSTRAINT webhook_receipts_webhook_id_check CHECK (char_length(webhook_id) BETWEEN 1 AND 256)
);

CREATE INDEX webhook_receipts_received_at_idx ON webhook_receipts (received_at);

COMMENT ON TABLE webhook_receipts IS 'webhook-id values of applied worker callbacks, kept for replay detection and pruned after a retention.';
