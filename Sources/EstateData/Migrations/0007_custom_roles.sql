-- Custom roles defined by a group's administrators (built-in roles live in EstateLogic.BuiltInRoles).

CREATE TABLE custom_roles (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    code         text        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    level        text        NOT NULL,
    permissions  text[]      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, code),
    CONSTRAINT custom_roles_id_key UNIQUE (group_id, id),
    CONSTRAINT custom_roles_level_check CHECK (level IN ('group', 'region', 'city_company', 'project'))
);

ALTER TABLE custom_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY custom_roles_group ON custom_roles
    USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
