-- The campaign example's own tables, in a schema of their own (campaigns) with their own Flyway
-- history (campaigns.flyway_schema_history), so that its versions never meet the queue schema's.

-- One campaign: a text sent to a list of recipients. pending counts the messages not yet settled
-- (sent or failed); the message that settles the last one sets finished_at in the same statement,
-- under this row's lock, so two messages finishing at once cannot both miss the moment.
CREATE TABLE campaigns.campaign (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    text        text        NOT NULL,
    pending     integer     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT campaign_pending_check CHECK (pending >= 0),
    -- Finished exactly when nothing is pending: the cleanup relies on it.
    CONSTRAINT campaign_finished_check CHECK ((pending = 0) = (finished_at IS NOT NULL))
);

-- The cleanup deletes finished campaigns by age.
CREATE INDEX campaign_finished_at_idx ON campaigns.campaign (finished_at)
    WHERE finished_at IS NOT NULL;

-- One message to one recipient; its send job carries only the message id. Deleted with its
-- campaign.
CREATE TABLE campaigns.message (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id bigint      NOT NULL,
    recipient   text        NOT NULL,
    status      text        NOT NULL DEFAULT 'pending',
    settled_at  timestamptz,
    error       text,
    CONSTRAINT message_campaign_fkey FOREIGN KEY (campaign_id)
        REFERENCES campaigns.campaign (id) ON DELETE CASCADE,
    CONSTRAINT message_status_check CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT message_settled_check CHECK ((status = 'pending') = (settled_at IS NULL)),
    -- A recipient gets a campaign once.
    CONSTRAINT message_campaign_id_recipient_key UNIQUE (campaign_id, recipient)
);
