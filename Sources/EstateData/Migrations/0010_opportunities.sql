-- Opportunities (issue 5): a customer's interest in a project, or in one room of it, moving through
-- the stages of OpportunityStages (EstateLogic); every stage change is a row of an append-only history.
-- customers.stage (0009) is kept in the same transaction as every change: the furthest open stage.

CREATE TABLE opportunities (
    group_id       uuid        NOT NULL REFERENCES groups (id),
    id             uuid        NOT NULL,
    customer_id    uuid        NOT NULL,
    project_id     uuid        NOT NULL,
    room_id        uuid,
    stage          text        NOT NULL,
    -- A code of the group's lost_reasons dictionary, exactly while the stage is lost.
    lost_reason    text,
    lost_note      text,
    -- The customer's owner when the opportunity was made (NULL: the customer was in the public pool).
    consultant_id  uuid,
    version        integer     NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id),
    FOREIGN KEY (group_id, consultant_id) REFERENCES users (group_id, id),
    CONSTRAINT opportunities_stage_check CHECK (stage IN ('first_visit', 'revisit', 'intent', 'reserved', 'subscribed',
                                                          'contracted', 'lost')),
    CONSTRAINT opportunities_lost_check CHECK ((stage = 'lost') = (lost_reason IS NOT NULL)
                                               AND (lost_note IS NULL OR stage = 'lost'))
);
CREATE INDEX opportunities_customer ON opportunities (group_id, customer_id, id);
-- Pipeline counts: a project's opportunities by consultant and stage, read from the index alone.
CREATE INDEX opportunities_pipeline ON opportunities (group_id, project_id, consultant_id, stage) INCLUDE (lost_reason, created_at);
-- At most one live (neither lost nor contracted) opportunity per customer, project and room (or none).
CREATE UNIQUE INDEX opportunities_live_key ON opportunities (group_id, customer_id, project_id, room_id) NULLS NOT DISTINCT
    WHERE stage NOT IN ('lost', 'contracted');

-- Every stage an opportunity was given: its creation (from_stage NULL) and each change. customer_id
-- is the opportunity's customer, so that the customer's timeline reads this table by its own key.
CREATE TABLE opportunity_stage_history (
    group_id        uuid        NOT NULL REFERENCES groups (id),
    id              uuid        NOT NULL,
    opportunity_id  uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    from_stage      text,
    to_stage        text        NOT NULL,
    actor           text        NOT NULL,
    lost_reason     text,
    note            text,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, opportunity_id) REFERENCES opportunities (group_id, id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id)
);
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (group_id, opportunity_id, at, id);
CREATE INDEX opportunity_stage_history_customer ON opportunity_stage_history (group_id, customer_id, at, id);
CREATE TRIGGER opportunity_stage_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON opportunity_stage_history
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

ALTER TABLE opportunities ENABLE ROW LEVEL SECURITY;
CREATE POLICY opportunities_group ON opportunities USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE opportunity_stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY opportunity_stage_history_group ON opportunity_stage_history USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
