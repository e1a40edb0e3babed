-- API keys (issue #9). Only a SHA-256 of each secret is kept: the secrets are 256-bit random
-- strings, so a fast hash is as safe as a slow one, and it can be looked up by index.
CREATE TABLE api_keys (
    id          TEXT   PRIMARY KEY,
    name        TEXT   NOT NULL,
    secret_hash TEXT   NOT NULL UNIQUE,
    scopes      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
