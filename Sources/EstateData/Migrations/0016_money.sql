-- Receivables and collections at the desk (issue 6, part 4): what 0014 left to the money code.
--
-- A voided receipt reverses its collection: allocations of kind 'void' take the collection's money
-- back off the lines it paid (negative, naming the collection); the rest comes out of the deal's
-- credit. Collections themselves stay append-only: a collection is live while its receipt is not
-- voided, and every collection has exactly one receipt.

ALTER TABLE allocations DROP CONSTRAINT allocations_kind_check;
ALTER TABLE allocations ADD CONSTRAINT allocations_kind_check CHECK (kind IN ('collection', 'refund', 'release', 'credit', 'void'));
ALTER TABLE allocations DROP CONSTRAINT allocations_source_check;
ALTER TABLE allocations ADD CONSTRAINT allocations_source_check CHECK ((kind IN ('collection', 'void')) = (collection_id IS NOT NULL)
                                                                     AND (kind = 'refund') = (refund_id IS NOT NULL));
CREATE INDEX allocations_collection ON allocations (group_id, collection_id) WHERE collection_id IS NOT NULL;
CREATE INDEX allocations_refund ON allocations (group_id, refund_id) WHERE refund_id IS NOT NULL;

-- A foreign amount keeps its currency's own minor unit (3 digits for KWD, 4 for CLF), and the day of
-- the rate it converted at (the rate of the payment's day, or the latest within the week before).
ALTER TABLE collections ALTER COLUMN foreign_amount TYPE numeric(18,4);
ALTER TABLE collections ADD COLUMN rate_date date;
ALTER TABLE collections ADD CONSTRAINT collections_rate_date_check CHECK (rate_date IS NULL OR (currency <> 'CNY' AND rate_date <= received_on));

-- One receipt per collection; a reissue is a new collection with a new receipt and number.
CREATE UNIQUE INDEX receipts_collection ON receipts (group_id, collection_id);
CREATE INDEX receipts_register ON receipts (group_id, project_id, year, sequence);

-- The prefix of the project's receipts in a year, fixed by the year's first receipt (EstateLogic
-- ReceiptNumber.prefix(forProjectCode:)), so that renaming the project's code mid-year does not
-- change the numbering.
ALTER TABLE receipt_counters ADD COLUMN prefix text;
ALTER TABLE receipt_counters ADD CONSTRAINT receipt_counters_prefix_check CHECK (prefix IS NULL OR prefix ~ '^[A-Z][A-Z0-9]{0,9}$');
ALTER TABLE receipt_counters ADD CONSTRAINT receipt_counters_sequence_check CHECK (last_sequence > 0);

-- The invoice register keeps who voided an invoice, and never loses one.
ALTER TABLE invoices ADD COLUMN voided_by text;
ALTER TABLE invoices ADD CONSTRAINT invoices_voided_by_check CHECK ((voided_at IS NULL) = (voided_by IS NULL));
ALTER TABLE invoices ADD CONSTRAINT invoices_amount_check CHECK (amount > 0);
CREATE FUNCTION invoices_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL
       OR (NEW.id, NEW.project_id, NEW.deal_id, NEW.number, NEW.amount, NEW.issued_on, NEW.recorded_by, NEW.recorded_at)
          IS DISTINCT FROM (OLD.id, OLD.project_id, OLD.deal_id, OLD.number, OLD.amount, OLD.issued_on, OLD.recorded_by, OLD.recorded_at) THEN
        RAISE EXCEPTION 'invoices are kept: the only change is a void, once' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER invoices_keep BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_keep();
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Exchange rates are set again only by a later PUT; the history of what a rate was is the audit log.
-- Collections keep the rate they converted at, so a corrected rate never changes a past payment.
