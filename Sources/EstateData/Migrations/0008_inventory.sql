-- Inventory, sales control, pricing and discounts (issue 4).
-- project (an org unit of kind project) → phase (optional) → building → entrance → floor → room.
-- Money is numeric(14,2) (minor units in Swift), areas numeric(10,2) m² (hundredths in Swift).

CREATE FUNCTION estate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE phases (
    group_id    uuid        NOT NULL REFERENCES groups (id),
    id          uuid        NOT NULL,
    project_id  uuid        NOT NULL,
    code        text        NOT NULL,
    name        text        NOT NULL,
    version     integer     NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT phases_code_key UNIQUE (group_id, project_id, code)
);

CREATE TABLE buildings (
    group_id      uuid        NOT NULL REFERENCES groups (id),
    id            uuid        NOT NULL,
    project_id    uuid        NOT NULL,
    phase_id      uuid,
    code          text        NOT NULL,
    name          text        NOT NULL,
    -- Bumped by a trigger whenever a room of the building changes: the grid's ETag.
    grid_version  bigint      NOT NULL DEFAULT 1,
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, phase_id) REFERENCES phases (group_id, id),
    CONSTRAINT buildings_code_key UNIQUE (group_id, project_id, code)
);

CREATE TABLE rooms (
    group_id                uuid        NOT NULL REFERENCES groups (id),
    id                      uuid        NOT NULL,
    project_id              uuid        NOT NULL,
    building_id             uuid        NOT NULL,
    external_code           text,
    entrance                integer     NOT NULL,
    floor                   integer     NOT NULL,
    -- Position on the floor within the entrance (1 = first); rooms above each other share a stack.
    stack                   integer     NOT NULL,
    number                  text        NOT NULL,
    kind                    text        NOT NULL,
    layout                  text,
    orientation             text,
    view                    text,
    built_area_forecast     numeric(10,2),
    internal_area_forecast  numeric(10,2),
    built_area_actual       numeric(10,2),
    internal_area_actual    numeric(10,2),
    pricing_basis           text        NOT NULL,
    shared_land             boolean     NOT NULL DEFAULT false,
    status                  text        NOT NULL DEFAULT 'not_released',
    hold_reason             text,
    hold_until              timestamptz,
    unit_price              numeric(14,2),
    list_price              numeric(14,2),
    floor_price             numeric(14,2),
    price_list_id           uuid,
    version                 integer     NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, building_id) REFERENCES buildings (group_id, id),
    CONSTRAINT rooms_number_key UNIQUE (group_id, building_id, number),
    CONSTRAINT rooms_external_code_key UNIQUE (group_id, project_id, external_code),
    CONSTRAINT rooms_kind_check CHECK (kind IN ('apartment', 'villa', 'shop', 'office', 'parking', 'storage')),
    CONSTRAINT rooms_basis_check CHECK (pricing_basis IN ('built_area', 'internal_area', 'unit')),
    CONSTRAINT rooms_status_check CHECK (status IN ('not_released', 'available', 'held', 'reserved', 'subscribed',
                                                    'contracted', 'handed_over', 'leased')),
    CONSTRAINT rooms_hold_check CHECK ((status = 'held') = (hold_until IS NOT NULL AND hold_reason IS NOT NULL)),
    CONSTRAINT rooms_position_check CHECK (entrance >= 1 AND stack >= 1),
    CONSTRAINT rooms_area_check CHECK (coalesce(built_area_forecast, 0) >= 0 AND coalesce(internal_area_forecast, 0) >= 0
                                       AND coalesce(built_area_actual, 0) >= 0 AND coalesce(internal_area_actual, 0) >= 0),
    CONSTRAINT rooms_price_check CHECK (coalesce(unit_price, 0) >= 0 AND coalesce(list_price, 0) >= 0
                                        AND coalesce(floor_price, 0) >= 0),
    CONSTRAINT rooms_shared_land_check CHECK (NOT shared_land OR kind = 'parking')
);
CREATE INDEX rooms_grid ON rooms (group_id, building_id, floor, entrance, stack);
CREATE INDEX rooms_project ON rooms (group_id, project_id, status, kind);
CREATE INDEX rooms_hold_expiry ON rooms (hold_until) WHERE status = 'held';

CREATE FUNCTION rooms_touch_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE buildings b SET grid_version = grid_version + 1
    FROM (SELECT DISTINCT group_id, building_id FROM changed_rooms) c
    WHERE b.group_id = c.group_id AND b.id = c.building_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER rooms_touch_grid_insert AFTER INSERT ON rooms REFERENCING NEW TABLE AS changed_rooms
    FOR EACH STATEMENT EXECUTE FUNCTION rooms_touch_grid();
CREATE TRIGGER rooms_touch_grid_update AFTER UPDATE ON rooms REFERENCING NEW TABLE AS changed_rooms
    FOR EACH STATEMENT EXECUTE FUNCTION rooms_touch_grid();
CREATE TRIGGER rooms_touch_grid_delete AFTER DELETE ON rooms REFERENCING OLD TABLE AS changed_rooms
    FOR EACH STATEMENT EXECUTE FUNCTION rooms_touch_grid();

-- Every status change of a room: append-only.
CREATE TABLE room_status_history (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    room_id      uuid        NOT NULL,
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    event        text        NOT NULL,
    actor        text        NOT NULL,
    reason       text,
    hold_until   timestamptz,
    deal_id      uuid,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id)
);
CREATE INDEX room_status_history_room ON room_status_history (group_id, room_id, id);
CREATE TRIGGER room_status_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON room_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Published price-list versions of a project; old versions are kept.
CREATE TABLE price_lists (
    group_id      uuid        NOT NULL REFERENCES groups (id),
    id            uuid        NOT NULL,
    project_id    uuid        NOT NULL,
    version       integer     NOT NULL,
    name          text        NOT NULL,
    -- The pricing run as requested (base price or target, factor tables, rounding).
    run           jsonb       NOT NULL,
    base_unit_price numeric(14,2) NOT NULL,
    room_count    integer     NOT NULL,
    total         numeric(16,2) NOT NULL,
    published_by  text        NOT NULL,
    published_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT price_lists_version_key UNIQUE (group_id, project_id, version)
);
CREATE TRIGGER price_lists_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON price_lists
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

CREATE TABLE price_list_rooms (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    price_list_id  uuid          NOT NULL,
    room_id        uuid          NOT NULL,
    unit_price     numeric(14,2) NOT NULL,
    list_price     numeric(14,2) NOT NULL,
    floor_price    numeric(14,2),
    PRIMARY KEY (group_id, price_list_id, room_id),
    FOREIGN KEY (group_id, price_list_id) REFERENCES price_lists (group_id, id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id)
);
CREATE TRIGGER price_list_rooms_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON price_list_rooms
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Every change of a room's current price (published list or manual adjustment): append-only.
CREATE TABLE room_price_history (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    id             uuid          NOT NULL,
    room_id        uuid          NOT NULL,
    unit_price     numeric(14,2),
    list_price     numeric(14,2),
    floor_price    numeric(14,2),
    price_list_id  uuid,
    reason         text          NOT NULL,
    actor          text          NOT NULL,
    at             timestamptz   NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id)
);
CREATE INDEX room_price_history_room ON room_price_history (group_id, room_id, id);
CREATE TRIGGER room_price_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON room_price_history
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Discount schemes of a project.
CREATE TABLE discount_schemes (
    group_id         uuid          NOT NULL REFERENCES groups (id),
    id               uuid          NOT NULL,
    project_id       uuid          NOT NULL,
    code             text          NOT NULL,
    name             text          NOT NULL,
    kind             text          NOT NULL,
    -- percentage: basis points off (250 = 2.5 %); fixed_amount: money off.
    percent_bp       integer,
    amount           numeric(14,2),
    payment_methods  text[]        NOT NULL DEFAULT '{}',
    valid_from       timestamptz,
    valid_until      timestamptz,
    building_ids     uuid[]        NOT NULL DEFAULT '{}',
    room_ids         uuid[]        NOT NULL DEFAULT '{}',
    stacking_order   integer       NOT NULL,
    active           boolean       NOT NULL DEFAULT true,
    version          integer       NOT NULL DEFAULT 1,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT discount_schemes_code_key UNIQUE (group_id, project_id, code),
    CONSTRAINT discount_schemes_kind_check CHECK (
        (kind = 'percentage' AND percent_bp BETWEEN 1 AND 10000 AND amount IS NULL)
        OR (kind = 'fixed_amount' AND amount > 0 AND percent_bp IS NULL)),
    CONSTRAINT discount_schemes_window_check CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
);

ALTER TABLE phases ENABLE ROW LEVEL SECURITY;
CREATE POLICY phases_group ON phases USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE buildings ENABLE ROW LEVEL SECURITY;
CREATE POLICY buildings_group ON buildings USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE rooms ENABLE ROW LEVEL SECURITY;
CREATE POLICY rooms_group ON rooms USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE room_status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY room_status_history_group ON room_status_history USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE price_lists ENABLE ROW LEVEL SECURITY;
CREATE POLICY price_lists_group ON price_lists USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE price_list_rooms ENABLE ROW LEVEL SECURITY;
CREATE POLICY price_list_rooms_group ON price_list_rooms USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE room_price_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY room_price_history_group ON room_price_history USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE discount_schemes ENABLE ROW LEVEL SECURITY;
CREATE POLICY discount_schemes_group ON discount_schemes USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
