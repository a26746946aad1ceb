-- Identity: the organisation tree, users, role grants and sessions.
-- Every table is keyed by group_id first (tenant), as ARCHITECTURE.md requires.

CREATE TABLE org_units (
    group_id    uuid        NOT NULL REFERENCES groups (id),
    id          uuid        NOT NULL,
    parent_id   uuid,
    kind        text        NOT NULL,
    code        text        NOT NULL,
    name        text        NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    -- Ids from the group's root unit down to this one, inclusive: subtree and scope checks
    -- are `path @> ARRAY[unit]` (GIN-indexed) without recursive queries.
    path        uuid[]      NOT NULL,
    version     integer     NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, parent_id) REFERENCES org_units (group_id, id),
    CONSTRAINT org_units_code_key UNIQUE (group_id, code),
    CONSTRAINT org_units_kind_check CHECK (kind IN ('group', 'region', 'city_company', 'project')),
    CONSTRAINT org_units_root_check CHECK ((kind = 'group') = (parent_id IS NULL)),
    CONSTRAINT org_units_path_check CHECK (path[array_length(path, 1)] = id),
    CONSTRAINT org_units_name_check CHECK (length(btrim(name)) > 0)
);
CREATE UNIQUE INDEX org_units_one_root ON org_units (group_id) WHERE parent_id IS NULL;
CREATE INDEX org_units_parent ON org_units (group_id, parent_id);
CREATE INDEX org_units_path ON org_units USING gin (path);

CREATE TABLE users (
    group_id       uuid        NOT NULL REFERENCES groups (id),
    id             uuid        NOT NULL,
    org_unit_id    uuid        NOT NULL,
    username       text        NOT NULL,
    display_name   text        NOT NULL,
    password_hash  text        NOT NULL,
    active         boolean     NOT NULL DEFAULT true,
    version        integer     NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, org_unit_id) REFERENCES org_units (group_id, id),
    CONSTRAINT users_username_key UNIQUE (group_id, username),
    CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$')
);

-- A role granted to a user at an org unit applies there and everywhere below.
-- `role` is a built-in role code (EstateLogic.BuiltInRoles) or a custom role's code.
CREATE TABLE role_grants (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    role         text        NOT NULL,
    org_unit_id  uuid        NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, user_id) REFERENCES users (group_id, id),
    FOREIGN KEY (group_id, org_unit_id) REFERENCES org_units (group_id, id),
    CONSTRAINT role_grants_unique UNIQUE (group_id, user_id, role, org_unit_id)
);
CREATE INDEX role_grants_user ON role_grants (group_id, user_id);

-- Login sessions. The bearer token is `est_<group id hex>_<random>`; only its SHA-256 is kept.
CREATE TABLE sessions (
    group_id    uuid        NOT NULL REFERENCES groups (id),
    id          uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    token_hash  text        NOT NULL,  -- SHA-256 of the whole token, hex
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, user_id) REFERENCES users (group_id, id),
    CONSTRAINT sessions_token_key UNIQUE (group_id, token_hash)
);
CREATE INDEX sessions_user ON sessions (group_id, user_id);
