-- API keys for integration partners: named, scoped to permissions at an org unit, expiring,
-- revocable. The key is `esk_<group id hex>_<secret>`; only its SHA-256 is kept.

CREATE TABLE api_keys (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    org_unit_id  uuid        NOT NULL,
    permissions  text[]      NOT NULL,
    token_hash   text        NOT NULL,
    created_by   uuid        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, org_unit_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, created_by) REFERENCES users (group_id, id),
    CONSTRAINT api_keys_token_key UNIQUE (group_id, token_hash),
    CONSTRAINT api_keys_name_check CHECK (length(btrim(name)) > 0)
);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_keys_group ON api_keys USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
