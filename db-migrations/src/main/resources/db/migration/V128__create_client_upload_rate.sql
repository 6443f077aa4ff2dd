-- Upload rate limit per client (issue 15): conveyor.api.storage.upload-rate uploads per
-- upload-rate-period, counted in the database so that the limit holds across API replicas.
--
-- One row per client holding a "theoretical arrival time" (the generic cell rate algorithm, as
-- token buckets are usually implemented in one number): each upload moves it on by
-- period / rate, from now if it lies in the past; an upload is refused while that would put it
-- more than one period ahead of now, and the excess is how long the client must wait
-- (Retry-After). So a client may send a whole period's uploads at once, then one per
-- period / rate. One atomic upsert per upload; kept apart from client_storage, whose row an
-- upload holds locked while it writes its file, so the rate check never waits for that.
CREATE TABLE client_upload_rate (
    client_id bigint      NOT NULL,
    tat       timestamptz NOT NULL,

    CONSTRAINT client_upload_rate_pkey PRIMARY KEY (client_id),
    CONSTRAINT client_upload_rate_client_fkey
        FOREIGN KEY (client_id) REFERENCES api_clients (id) ON DELETE CASCADE
);

COMMENT ON TABLE client_upload_rate IS 'Per-client upload rate limit state (generic cell rate algorithm).';
