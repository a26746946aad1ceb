-- Integration exports (issue 7, part 3): the documents sent to property management, the cost
-- system, finance and OA sync incrementally (EstateData IntegrationSync). Every row they are made
-- of carries the id of the transaction that last wrote it (pg_current_xact_id(), as the event
-- feed's events.xact): an export serves rows in (stamp, key) order, and only rows stamped by
-- transactions older than every transaction still running, so that a row committed late never
-- lands behind a cursor already handed out.

-- Stamps a changed row with the writing transaction and the time of the change.
CREATE FUNCTION estate_sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_xact := pg_current_xact_id()::text::bigint;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Deals (property handovers, the cost system's sales): every change of a deal (its stage, steps'
-- columns, prices, buyers with it) stamps it. updated_at was already kept by the deal code; the
-- trigger keeps it for every other write too.
ALTER TABLE deals ADD COLUMN sync_xact bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE TRIGGER deals_sync_stamp BEFORE UPDATE ON deals FOR EACH ROW EXECUTE FUNCTION estate_sync_stamp();
CREATE INDEX deals_sync_handed_over ON deals (group_id, sync_xact, id)
    WHERE stage IN ('property_handed_over', 'title_registered', 'mortgage_registered', 'completed');
-- Sales by contract month, and the contracted deals that ended.
CREATE INDEX deals_contract_signed ON deals (group_id, contract_signed_on) WHERE contract_signed_on IS NOT NULL;
CREATE INDEX deals_contracted_ended ON deals (group_id, id) WHERE contract_signed_on IS NOT NULL AND stage IN ('cancelled', 'terminated');

-- Change requests (OA approval requests): requested, decided and executed in place.
ALTER TABLE change_requests ADD COLUMN sync_xact bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
ALTER TABLE change_requests ADD COLUMN updated_at timestamptz;
UPDATE change_requests SET updated_at = greatest(requested_at, decided_at, executed_at);
ALTER TABLE change_requests ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
CREATE TRIGGER change_requests_sync_stamp BEFORE UPDATE ON change_requests FOR EACH ROW EXECUTE FUNCTION estate_sync_stamp();
CREATE INDEX change_requests_sync ON change_requests (group_id, sync_xact, id);

-- Finance vouchers: collections and refunds are append-only (stamped once, when written); a
-- receipt's void is its one change, stamped by void_xact.
ALTER TABLE collections ADD COLUMN sync_xact bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX collections_sync ON collections (group_id, sync_xact, id);
ALTER TABLE refunds ADD COLUMN sync_xact bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX refunds_sync ON refunds (group_id, sync_xact, id);

ALTER TABLE receipts ADD COLUMN void_xact bigint;
ALTER TABLE receipts ADD CONSTRAINT receipts_void_xact_check CHECK ((void_xact IS NULL) = (voided_at IS NULL)) NOT VALID;
-- Receipts voided before this migration take its transaction (receipts_keep allows no second
-- change of a voided receipt, so it stands aside for this one statement).
ALTER TABLE receipts DISABLE TRIGGER receipts_keep;
UPDATE receipts SET void_xact = pg_current_xact_id()::text::bigint WHERE voided_at IS NOT NULL;
ALTER TABLE receipts ENABLE TRIGGER receipts_keep;
ALTER TABLE receipts VALIDATE CONSTRAINT receipts_void_xact_check;
CREATE FUNCTION receipts_void_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL THEN
        NEW.void_xact := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER receipts_void_stamp BEFORE UPDATE ON receipts FOR EACH ROW EXECUTE FUNCTION receipts_void_stamp();
CREATE INDEX receipts_void_sync ON receipts (group_id, void_xact, id) WHERE void_xact IS NOT NULL;
