-- Customers, their phones, follow-ups, ownership and sharing, duplicate rules and protection
-- periods (issue 5). A customer belongs to a project (org unit of kind project) and has one
-- owning consultant, or none while it sits in the project's public pool.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The group's time zone: what "today" means for follow-up dates and tasks (an IANA name).
ALTER TABLE groups ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai';

CREATE TABLE customers (
    group_id            uuid        NOT NULL REFERENCES groups (id),
    id                  uuid        NOT NULL,
    project_id          uuid        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('person', 'company')),
    name                text        NOT NULL,
    -- CustomerText.normalizedName(name): what duplicate checks and name search compare.
    name_key            text        NOT NULL,
    gender              text        CHECK (gender IN ('female', 'male', 'other')),
    birth_date          date,
    id_type             text,
    -- IDDocument.normalize(number); the full number, masked on the way out for callers without customers.pii.
    id_number           text,
    email               text,
    address             text,
    occupation          text,
    income_band         text,
    family              text,
    habits              text,
    -- Dictionary codes: customer_sources, media_channels, intent_grades.
    source              text        NOT NULL,
    media               text,
    intent_grade        text,
    -- What they look for and what matters to them: {budget, layouts, areaFrom, areaTo, purpose}, [focus codes].
    needs               jsonb       NOT NULL DEFAULT '{}',
    focus               text[]      NOT NULL DEFAULT '{}',
    notes               text,
    -- The owning consultant; NULL while the customer is in the project's public pool.
    owner_id            uuid,
    pooled_at           timestamptz,
    last_follow_up_at   timestamptz,
    -- When the owner loses the customer to the pool unless they follow up (source's protection period).
    protected_until     timestamptz,
    -- The furthest stage of the customer's open opportunities (kept by the opportunity code).
    stage               text,
    -- pending: created as a duplicate under an approve rule, waiting for a manager; rejected: refused.
    approval            text        NOT NULL DEFAULT 'none' CHECK (approval IN ('none', 'pending', 'rejected')),
    -- Set when merged into a survivor; such a customer is kept (its history moved) but never listed.
    merged_into         uuid,
    created_by          uuid        NOT NULL,
    version             integer     NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, owner_id) REFERENCES users (group_id, id),
    FOREIGN KEY (group_id, created_by) REFERENCES users (group_id, id),
    FOREIGN KEY (group_id, merged_into) REFERENCES customers (group_id, id),
    CONSTRAINT customers_pool_check CHECK ((owner_id IS NULL) = (pooled_at IS NOT NULL))
);
CREATE INDEX customers_project ON customers (group_id, project_id, id) WHERE merged_into IS NULL;
CREATE INDEX customers_owner ON customers (group_id, owner_id, id) WHERE merged_into IS NULL;
CREATE INDEX customers_id_number ON customers (group_id, id_number) WHERE id_number IS NOT NULL AND merged_into IS NULL;
CREATE INDEX customers_name_key ON customers (group_id, name_key) WHERE merged_into IS NULL;
CREATE INDEX customers_name_trgm ON customers USING gin (name_key gin_trgm_ops);
-- Names of one or two characters (common in Chinese) are searched by prefix: trigrams need three.
CREATE INDEX customers_name_prefix ON customers (group_id, name_key text_pattern_ops) WHERE merged_into IS NULL;
CREATE INDEX customers_id_number_trgm ON customers USING gin (id_number gin_trgm_ops) WHERE id_number IS NOT NULL;
CREATE INDEX customers_protection ON customers (protected_until) WHERE owner_id IS NOT NULL AND merged_into IS NULL;

-- A customer's phones in order; `number` is PhoneNumber.normalize(raw), what checks and search compare.
CREATE TABLE customer_phones (
    group_id     uuid    NOT NULL REFERENCES groups (id),
    customer_id  uuid    NOT NULL,
    position     integer NOT NULL,
    number       text    NOT NULL,
    label        text,
    PRIMARY KEY (group_id, customer_id, position),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    CONSTRAINT customer_phones_number_key UNIQUE (group_id, customer_id, number)
);
CREATE INDEX customer_phones_number ON customer_phones (group_id, number);
CREATE INDEX customer_phones_number_trgm ON customer_phones USING gin (number gin_trgm_ops);

-- Follow-up events: visits, calls, emails, messages, complaints, suggestions (dictionary follow_up_kinds).
CREATE TABLE customer_follow_ups (
    group_id        uuid        NOT NULL REFERENCES groups (id),
    id              uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    kind            text        NOT NULL,
    at              timestamptz NOT NULL,
    user_id         uuid        NOT NULL,
    content         text        NOT NULL,
    outcome         text,
    next_follow_up_on date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    FOREIGN KEY (group_id, user_id) REFERENCES users (group_id, id)
);
CREATE INDEX customer_follow_ups_customer ON customer_follow_ups (group_id, customer_id, at, id);

-- Every change of owner or project (created, reassigned, pooled, claimed, merged): append-only.
CREATE TABLE customer_ownership_history (
    group_id         uuid        NOT NULL REFERENCES groups (id),
    id               uuid        NOT NULL,
    customer_id      uuid        NOT NULL,
    event            text        NOT NULL,
    from_owner_id    uuid,
    to_owner_id      uuid,
    from_project_id  uuid,
    to_project_id    uuid        NOT NULL,
    actor            text        NOT NULL,
    reason           text,
    at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id)
);
CREATE INDEX customer_ownership_history_customer ON customer_ownership_history (group_id, customer_id, at, id);
CREATE TRIGGER customer_ownership_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON customer_ownership_history
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- A customer shared with a user: read (read-only) or write (collaborator).
CREATE TABLE customer_shares (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    customer_id  uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    access       text        NOT NULL CHECK (access IN ('read', 'write')),
    granted_by   uuid        NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, customer_id, user_id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    FOREIGN KEY (group_id, user_id) REFERENCES users (group_id, id)
);
CREATE INDEX customer_shares_user ON customer_shares (group_id, user_id, customer_id);

-- Duplicate rules of the group (project_id NULL) or of one project.
CREATE TABLE duplicate_rules (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    project_id   uuid,
    name         text        NOT NULL,
    -- [["phone"], ["id_number"], ["name", "phone"]]
    field_sets   jsonb       NOT NULL,
    action       text        NOT NULL CHECK (action IN ('warn', 'approve', 'block')),
    active       boolean     NOT NULL DEFAULT true,
    version      integer     NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id)
);

-- Protection period in days per customer source (dictionary code); `*` is the group's default.
CREATE TABLE customer_protection_periods (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    source       text        NOT NULL,
    days         integer     NOT NULL CHECK (days BETWEEN 1 AND 3650),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, source)
);

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY customers_group ON customers USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE customer_phones ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_phones_group ON customer_phones USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE customer_follow_ups ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_follow_ups_group ON customer_follow_ups USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE customer_ownership_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_ownership_history_group ON customer_ownership_history USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE customer_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_shares_group ON customer_shares USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE duplicate_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY duplicate_rules_group ON duplicate_rules USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE customer_protection_periods ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_protection_periods_group ON customer_protection_periods USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
