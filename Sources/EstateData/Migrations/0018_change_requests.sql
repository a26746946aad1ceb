-- Special transactions (issue 6, part 3): the kinds of change request the code knows
-- (EstateLogic.ChangeRequestKind), so that no other kind can be stored; and the approver's queue
-- (open requests of a group, oldest first), which replaces the index by status alone.
ALTER TABLE change_requests ADD CONSTRAINT change_requests_kind_check
    CHECK (kind IN ('change_room', 'change_buyers', 'change_discount', 'change_payment_method', 'cancellation', 'termination',
                    'price_approval'));
CREATE INDEX change_requests_queue ON change_requests (group_id, status, id) WHERE status IN ('pending', 'approved');
DROP INDEX change_requests_pending;
