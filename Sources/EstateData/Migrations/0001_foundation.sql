-- Foundation: the tenant root.
-- Every business table added later carries group_id (in its primary key and in
-- every foreign and unique key) referencing groups(id).

CREATE TABLE groups (
    id          uuid        PRIMARY KEY,
    code        text        NOT NULL,
    name        text        NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT groups_code_key UNIQUE (code),
    CONSTRAINT groups_code_format CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    CONSTRAINT groups_name_not_blank CHECK (length(btrim(name)) > 0)
);

COMMENT ON TABLE groups IS 'Tenants: one developer group each; the root of all business data.';
