-- The audit trail: append-only, hash-chained per group (EstateLogic.AuditChain).

CREATE TABLE audit_entries (
    group_id       uuid        NOT NULL REFERENCES groups (id),
    sequence       bigint      NOT NULL,
    id             uuid        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    actor_type     text        NOT NULL,
    actor_id       uuid,
    action         text        NOT NULL,
    object_type    text        NOT NULL,
    object_id      uuid        NOT NULL,
    org_unit_id    uuid,
    changes        jsonb       NOT NULL,
    request_id     text,
    previous_hash  text        NOT NULL,
    hash           text        NOT NULL,
    PRIMARY KEY (group_id, sequence),
    CONSTRAINT audit_entries_id_key UNIQUE (group_id, id),
    CONSTRAINT audit_entries_actor_check CHECK (actor_type IN ('user', 'api_key', 'system'))
);
CREATE INDEX audit_entries_object ON audit_entries (group_id, object_type, object_id, sequence);
CREATE INDEX audit_entries_actor ON audit_entries (group_id, actor_id, sequence);
CREATE INDEX audit_entries_time ON audit_entries (group_id, occurred_at);

-- One row per group: the last sequence and hash. Appends lock it (serialising a group's
-- appends) and verification checks the chain ends where the head says.
CREATE TABLE audit_heads (
    group_id       uuid   PRIMARY KEY REFERENCES groups (id),
    last_sequence  bigint NOT NULL,
    last_hash      text   NOT NULL
);

CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
