-- Events and webhooks (issue 7, part 5): a transactional outbox. A business change writes its
-- events (and one delivery row per subscribed webhook) in its own transaction, so an event
-- exists exactly when its change committed; the webhook relay (a background service) delivers
-- the rows afterwards, at least once.

-- The last sequence number given to an object's events. Its row is locked by the transaction
-- that appends an event about the object until that transaction ends, so an object's events are
-- numbered 1, 2, 3, ... without gaps, in the order their transactions committed.
CREATE TABLE event_objects (
    group_id       uuid   NOT NULL REFERENCES groups (id),
    object_type    text   NOT NULL,
    object_id      uuid   NOT NULL,
    last_sequence  bigint NOT NULL,
    PRIMARY KEY (group_id, object_type, object_id)
);

CREATE TABLE events (
    group_id         uuid        NOT NULL REFERENCES groups (id),
    id               uuid        NOT NULL,
    -- A type of the catalogue in EstateLogic (EventType), e.g. room.status_changed.
    type             text        NOT NULL,
    -- The object whose story the event is part of (room, customer, deal) and its place in it.
    object_type      text        NOT NULL,
    object_id        uuid        NOT NULL,
    object_sequence  bigint      NOT NULL,
    payload          jsonb       NOT NULL,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    -- The writing transaction (pg_current_xact_id) and the order within the cluster: the event
    -- feed pages by (xact, position) and shows only events of transactions older than every
    -- running one, so that an event committed late can never fall behind a reader's cursor.
    xact             bigint      NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    position         bigint      GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (group_id, id),
    CONSTRAINT events_object_sequence_key UNIQUE (group_id, object_type, object_id, object_sequence),
    CONSTRAINT events_sequence_check CHECK (object_sequence > 0)
);
CREATE INDEX events_feed ON events (group_id, xact, position);
CREATE INDEX events_feed_type ON events (group_id, type, xact, position);
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION estate_append_only();

-- Partners' subscriptions. The secret is the HMAC-SHA256 key that signs every delivery: the relay
-- needs it itself, so it is kept as issued (not hashed, unlike tokens); it authenticates Estate
-- to the partner and opens nothing in Estate. The API shows it once, in the answer to the creation.
CREATE TABLE webhooks (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    url          text        NOT NULL,
    event_types  text[]      NOT NULL,
    format       text        NOT NULL,
    description  text,
    secret       text        NOT NULL,
    active       boolean     NOT NULL DEFAULT true,
    -- user:<id> or api_key:<id>
    created_by   text        NOT NULL,
    version      integer     NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    CONSTRAINT webhooks_format_check CHECK (format IN ('json', 'xml')),
    CONSTRAINT webhooks_url_check CHECK (url ~ '^https?://'),
    CONSTRAINT webhooks_event_types_check CHECK (cardinality(event_types) > 0)
);
CREATE INDEX webhooks_active ON webhooks USING gin (event_types) WHERE active;

-- One delivery of one event to one webhook. pending: due at next_attempt_at; delivering: claimed
-- by a relay until next_attempt_at (the lease: a relay that stops mid-delivery leaves it to be
-- claimed again then, with the same event); delivered; dead: every attempt failed (replayable).
-- The object columns repeat the event's, so that a webhook gets an object's events in order.
CREATE TABLE webhook_deliveries (
    group_id         uuid        NOT NULL REFERENCES groups (id),
    id               uuid        NOT NULL,
    webhook_id       uuid        NOT NULL,
    event_id         uuid        NOT NULL,
    object_type      text        NOT NULL,
    object_id        uuid        NOT NULL,
    object_sequence  bigint      NOT NULL,
    status           text        NOT NULL DEFAULT 'pending',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- Set by each claim; only the relay holding it may record the attempt's outcome.
    claim_token      uuid,
    last_attempt_at  timestamptz,
    last_status      integer,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, webhook_id) REFERENCES webhooks (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, event_id) REFERENCES events (group_id, id),
    CONSTRAINT webhook_deliveries_event_key UNIQUE (group_id, webhook_id, event_id),
    CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
    CONSTRAINT webhook_deliveries_delivered_check CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
-- The relay's claim: due rows, oldest first (FOR UPDATE SKIP LOCKED).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
-- "Is an earlier event of this object still on its way to this webhook?"
CREATE INDEX webhook_deliveries_object ON webhook_deliveries (group_id, webhook_id, object_type, object_id, object_sequence)
    WHERE status IN ('pending', 'delivering');
-- A webhook's deliveries in id order (the list's keyset).
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (group_id, webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (group_id, event_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['event_objects', 'events', 'webhooks', 'webhook_deliveries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group())',
                       t || '_group', t);
    END LOOP;
END;
$$;
