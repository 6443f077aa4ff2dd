-- Business schema, part 1: who may call the API.
-- Business tables live in the default (public) schema, apart from the queue's own `conveyor`
-- schema, and are numbered from V100 so that queue migrations keep V0xx.
--
-- API keys are high-entropy random strings (256 bits), so a plain SHA-256 is enough to store
-- them: there is nothing to brute-force, and a fast hash keeps the per-request look-up cheap. A
-- slow password hash (bcrypt, argon2) is for low-entropy secrets chosen by people; it would only
-- add latency here. The key itself is shown once, when it is created, and never stored.
CREATE TABLE api_clients (
    id             bigint      GENERATED ALWAYS AS IDENTITY,
    name           text        NOT NULL,
    -- SHA-256 of the whole key, UTF-8.
    key_hash       bytea       NOT NULL,
    -- The key's first characters, so operators can tell keys apart without holding them.
    key_prefix     text        NOT NULL,
    role           text        NOT NULL DEFAULT 'client',
    -- Standard Webhooks secret (whsec_<base64>) that signs webhooks to this client's
    -- callbackUrl. Kept in clear on purpose: the worker needs the secret itself to sign, unlike
    -- the API key, of which only a hash is needed to check it.
    webhook_secret text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,

    CONSTRAINT api_clients_pkey PRIMARY KEY (id),
    CONSTRAINT api_clients_name_key UNIQUE (name),
    CONSTRAINT api_clients_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_clients_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_clients_key_hash_check CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_clients_key_prefix_check CHECK (char_length(key_prefix) BETWEEN 4 AND 16),
    CONSTRAINT api_clients_role_check CHECK (role IN ('client', 'admin')),
    CONSTRAINT api_clients_webhook_secret_check
        CHECK (webhook_secret IS NULL OR webhook_secret ~ '^whsec_[A-Za-z0-9+/]+=*$')
);

COMMENT ON TABLE api_clients IS 'API callers: a hashed API key each, a role, and the secret that signs their webhooks.';
