-- Inbound integration documents (issue 7): what the property-management system reports about the
-- rooms handed over to it, and the OA system's decisions on change requests. Both are keyed by the
-- sending system's own id, so that a document sent twice changes nothing the second time.

-- Property-management status updates (property-status-updates-v1): one row per update received,
-- for a room whose deal was handed over to property management. Append-only.
CREATE TABLE property_status_updates (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    -- The property-management system's id of the update.
    update_id    text        NOT NULL,
    room_id      uuid        NOT NULL,
    deal_id      uuid        NOT NULL,
    status       text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    reported_by  text,
    note         text,
    -- Who sent it (api_key:<id> or user:<id>).
    received_by  text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    CONSTRAINT property_status_updates_update_id_key UNIQUE (group_id, update_id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    -- EstateLogic.PropertyStatus.
    CONSTRAINT property_status_updates_status_check
        CHECK (status IN ('handover_accepted', 'owner_moved_in', 'renovation_started', 'renovation_finished', 'defect_reported',
                          'keys_returned'))
);
CREATE INDEX property_status_updates_room ON property_status_updates (group_id, room_id, occurred_at DESC, id DESC);
CREATE TRIGGER property_status_updates_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON property_status_updates
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- OA approval results applied (oa-approval-results-v1): the OA system's id of each decision that
-- approved or rejected a change request, with the OA user who decided. A refused result writes
-- nothing (sent again, it is checked again). The change request itself records the decision
-- (decided_by: the OA system's API key); this row names the person in OA. Append-only.
CREATE TABLE oa_approval_results (
    group_id           uuid        NOT NULL REFERENCES groups (id),
    id                 uuid        NOT NULL,
    -- The OA system's id of the decision.
    result_id          text        NOT NULL,
    change_request_id  uuid        NOT NULL,
    -- The version of the change request the OA user decided on, as sent.
    request_version    integer     NOT NULL,
    decision           text        NOT NULL,
    approver_ref       text        NOT NULL,
    approver_name      text        NOT NULL,
    -- The Estate user the OA user is (their login is the OA reference), when there is one.
    approver_user_id   uuid,
    comment            text,
    decided_at         timestamptz NOT NULL,
    -- The change request's status and version after the decision.
    status_after       text        NOT NULL,
    version_after      integer     NOT NULL,
    received_by        text        NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    CONSTRAINT oa_approval_results_result_id_key UNIQUE (group_id, result_id),
    FOREIGN KEY (group_id, change_request_id) REFERENCES change_requests (group_id, id),
    CONSTRAINT oa_approval_results_decision_check CHECK (decision IN ('approve', 'reject'))
);
CREATE INDEX oa_approval_results_request ON oa_approval_results (group_id, change_request_id);
CREATE TRIGGER oa_approval_results_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON oa_approval_results
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

ALTER TABLE property_status_updates ENABLE ROW LEVEL SECURITY;
CREATE POLICY property_status_updates_group ON property_status_updates
    USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE oa_approval_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY oa_approval_results_group ON oa_approval_results
    USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
