-- Deals and their money (issue 6): a deal ties buyers to a room from reservation to handover; its
-- payment schedule is a set of receivables; collections are allocated to receivables; receipts are
-- numbered without gaps per project. Amounts are numeric(14,2) in the group's currency (CNY);
-- foreign payments keep their own amount and the rate of the day beside it.
--
-- The invariant the whole system protects: at most one live deal per room. It is the partial
-- unique index deals_one_live_per_room, whatever the code above it does; the room's status is
-- changed by a conditional update in the same transaction.

CREATE TABLE deals (
    group_id              uuid          NOT NULL REFERENCES groups (id),
    id                    uuid          NOT NULL,
    project_id            uuid          NOT NULL,
    room_id               uuid          NOT NULL,
    -- The consultant who owns the deal (tasks of its steps go to them).
    owner_id              uuid          NOT NULL,
    -- Where the deal stands (EstateLogic.DealStage): what is next follows from it and the payment method.
    stage                 text          NOT NULL,
    -- Intent money (refundable) or earnest money (定金, forfeitable, at most 20 % of the price).
    deposit_kind          text,
    deposit_amount        numeric(14,2) NOT NULL DEFAULT 0,
    reserved_until        timestamptz,
    list_price            numeric(14,2),
    final_price           numeric(14,2),
    floor_price           numeric(14,2),
    -- The quote the price came from: discounts in the order applied ({code, name, amountOff, priceAfter}).
    discounts             jsonb         NOT NULL DEFAULT '[]',
    payment_method        text,
    -- The method's terms as given (down-payment ratio, instalments, loan amounts, ...).
    payment_terms         jsonb,
    -- An approval of a price below the floor (a change request of kind price_approval, approved).
    price_approval_id     uuid,
    subscribed_on         date,
    contract_number       text,
    contract_signed_on    date,
    filing_number         text,
    filed_on              date,
    contract_deadline     date,
    mortgage_bank         text,
    mortgage_amount       numeric(14,2),
    mortgage_term_months  integer,
    -- Area settlement: the contracted area, the surveyed one, and what it came to (+ buyer pays, - refund).
    contracted_area       numeric(10,2),
    actual_area           numeric(10,2),
    settlement_amount     numeric(14,2),
    buyer_may_cancel      boolean,
    -- Money received beyond every receivable, held for the buyer (never lost).
    credit                numeric(14,2) NOT NULL DEFAULT 0,
    ended_reason          text,
    version               integer       NOT NULL DEFAULT 1,
    created_by            text          NOT NULL,
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, room_id) REFERENCES rooms (group_id, id),
    FOREIGN KEY (group_id, owner_id) REFERENCES users (group_id, id),
    CONSTRAINT deals_stage_check CHECK (stage IN ('reserved', 'subscribed', 'contracted', 'mortgage_applied', 'mortgage_approved',
        'mortgage_funds_arrived', 'area_settled', 'move_in_notified', 'inspected', 'keys_handed_over', 'property_handed_over',
        'title_registered', 'mortgage_registered', 'completed', 'cancelled', 'terminated')),
    CONSTRAINT deals_deposit_check CHECK (deposit_kind IS NULL OR deposit_kind IN ('earnest', 'intent')),
    CONSTRAINT deals_amounts_check CHECK (deposit_amount >= 0 AND coalesce(final_price, 0) >= 0 AND coalesce(list_price, 0) >= 0
                                          AND credit >= 0 AND coalesce(mortgage_amount, 0) >= 0),
    CONSTRAINT deals_reservation_check CHECK (stage <> 'reserved' OR reserved_until IS NOT NULL),
    CONSTRAINT deals_price_check CHECK (stage IN ('reserved', 'cancelled', 'terminated')
                                        OR (final_price IS NOT NULL AND payment_method IS NOT NULL))
);
-- No double sale: one deal per room that is neither cancelled nor terminated.
CREATE UNIQUE INDEX deals_one_live_per_room ON deals (group_id, room_id) WHERE stage NOT IN ('cancelled', 'terminated');
CREATE INDEX deals_project ON deals (group_id, project_id, stage, id);
CREATE INDEX deals_owner ON deals (group_id, owner_id, stage);
CREATE INDEX deals_reservation_expiry ON deals (reserved_until) WHERE stage = 'reserved';
CREATE UNIQUE INDEX deals_contract_number ON deals (group_id, project_id, contract_number) WHERE contract_number IS NOT NULL;

-- The buyers of a deal and their shares in basis points (10000 = 100 %), summing to 10000.
CREATE TABLE deal_buyers (
    group_id     uuid     NOT NULL REFERENCES groups (id),
    deal_id      uuid     NOT NULL,
    customer_id  uuid     NOT NULL,
    position     integer  NOT NULL,
    share_bp     integer  NOT NULL,
    PRIMARY KEY (group_id, deal_id, customer_id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    CONSTRAINT deal_buyers_share_check CHECK (share_bp > 0 AND share_bp <= 10000),
    CONSTRAINT deal_buyers_position_key UNIQUE (group_id, deal_id, position)
);
CREATE INDEX deal_buyers_customer ON deal_buyers (group_id, customer_id);

-- The dated steps of a deal after the subscription (contract filing, mortgage, settlement, handover).
CREATE TABLE deal_steps (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    deal_id      uuid        NOT NULL,
    step         text        NOT NULL,
    done_on      date        NOT NULL,
    details      jsonb       NOT NULL DEFAULT '{}',
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, deal_id, step),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id)
);

-- Every change of a deal, with what it was and became: append-only.
CREATE TABLE deal_history (
    group_id     uuid        NOT NULL REFERENCES groups (id),
    id           uuid        NOT NULL,
    deal_id      uuid        NOT NULL,
    event        text        NOT NULL,
    from_stage   text,
    to_stage     text        NOT NULL,
    before       jsonb,
    after        jsonb,
    actor        text        NOT NULL,
    reason       text,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id)
);
CREATE INDEX deal_history_deal ON deal_history (group_id, deal_id, id);
CREATE TRIGGER deal_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON deal_history
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- What a deal's buyers owe: the schedule's lines, the area settlement, fees collected for others.
-- A regenerated schedule supersedes the open lines (superseded_at) and keeps every paid amount.
CREATE TABLE receivables (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    id             uuid          NOT NULL,
    deal_id        uuid          NOT NULL,
    position       integer       NOT NULL,
    kind           text          NOT NULL,
    due_on         date          NOT NULL,
    amount         numeric(14,2) NOT NULL,
    paid           numeric(14,2) NOT NULL DEFAULT 0,
    -- What a line collected for others is for (e.g. the maintenance fund).
    label          text,
    superseded_at  timestamptz,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    CONSTRAINT receivables_kind_check CHECK (kind IN ('deposit', 'down_payment', 'instalment', 'commercial_loan',
                                                      'provident_fund_loan', 'area_settlement', 'collected_for_others')),
    CONSTRAINT receivables_paid_check CHECK (paid >= 0 AND paid <= amount AND amount >= 0)
);
CREATE INDEX receivables_deal ON receivables (group_id, deal_id, due_on, position);
-- Arrears and the forecast: open lines by due date.
CREATE INDEX receivables_open ON receivables (group_id, due_on) WHERE superseded_at IS NULL AND paid < amount;

-- Money received for a deal. amount is in the group's currency; a foreign payment keeps its own
-- currency, amount and the rate of the day (1 unit = rate CNY) beside it.
CREATE TABLE collections (
    group_id         uuid          NOT NULL REFERENCES groups (id),
    id               uuid          NOT NULL,
    deal_id          uuid          NOT NULL,
    project_id       uuid          NOT NULL,
    method           text          NOT NULL,
    amount           numeric(14,2) NOT NULL,
    currency         text          NOT NULL DEFAULT 'CNY',
    foreign_amount   numeric(14,2),
    rate             numeric(18,6),
    received_on      date          NOT NULL,
    payer            text,
    reference        text,
    -- Of amount: what went to credit (nothing owed was left).
    to_credit        numeric(14,2) NOT NULL DEFAULT 0,
    recorded_by      text          NOT NULL,
    recorded_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT collections_method_check CHECK (method IN ('cash', 'card', 'transfer', 'credit')),
    CONSTRAINT collections_amount_check CHECK (amount > 0 AND to_credit >= 0 AND to_credit <= amount),
    CONSTRAINT collections_currency_check CHECK ((currency = 'CNY') = (foreign_amount IS NULL AND rate IS NULL))
);
CREATE INDEX collections_deal ON collections (group_id, deal_id, id);
CREATE INDEX collections_day ON collections (group_id, project_id, received_on);
CREATE TRIGGER collections_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON collections
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Every movement of money onto or off a receivable line: a collection paying it (+), a refund
-- taking money back from it (-), a regenerated schedule releasing paid money to the deal's credit
-- (-), credit applied to it (+). A line's paid amount is the sum of its allocations; the deal's
-- credit is what collections put aside plus releases, less credit applied and refunded.
CREATE TABLE allocations (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    id             uuid          NOT NULL,
    deal_id        uuid          NOT NULL,
    receivable_id  uuid          NOT NULL,
    kind           text          NOT NULL,
    collection_id  uuid,
    refund_id      uuid,
    amount         numeric(14,2) NOT NULL,
    at             timestamptz   NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    FOREIGN KEY (group_id, receivable_id) REFERENCES receivables (group_id, id),
    FOREIGN KEY (group_id, collection_id) REFERENCES collections (group_id, id),
    CONSTRAINT allocations_kind_check CHECK (kind IN ('collection', 'refund', 'release', 'credit')),
    CONSTRAINT allocations_source_check CHECK ((kind = 'collection') = (collection_id IS NOT NULL)
                                               AND (kind = 'refund') = (refund_id IS NOT NULL)),
    CONSTRAINT allocations_sign_check CHECK (amount <> 0 AND (kind IN ('collection', 'credit')) = (amount > 0))
);
CREATE INDEX allocations_receivable ON allocations (group_id, receivable_id);
CREATE INDEX allocations_deal ON allocations (group_id, deal_id);
CREATE TRIGGER allocations_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON allocations
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- Money paid back to the buyers (cancellation, overpayment, area settlement refund).
CREATE TABLE refunds (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    id             uuid          NOT NULL,
    deal_id        uuid          NOT NULL,
    project_id     uuid          NOT NULL,
    method         text          NOT NULL,
    amount         numeric(14,2) NOT NULL,
    -- Of amount: what came out of the deal's credit (the rest out of paid receivables).
    from_credit    numeric(14,2) NOT NULL DEFAULT 0,
    refunded_on    date          NOT NULL,
    reason         text          NOT NULL,
    recorded_by    text          NOT NULL,
    recorded_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT refunds_method_check CHECK (method IN ('cash', 'card', 'transfer')),
    CONSTRAINT refunds_amount_check CHECK (amount > 0 AND from_credit >= 0 AND from_credit <= amount)
);
CREATE INDEX refunds_deal ON refunds (group_id, deal_id, id);
CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON refunds
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();
ALTER TABLE allocations ADD FOREIGN KEY (group_id, refund_id) REFERENCES refunds (group_id, id);

-- Gap-free receipt numbers per project and year (EstateLogic.ReceiptNumber): the counter row is
-- locked by the transaction that issues the next number, so a rolled-back issue leaves no gap and
-- two issues never share a number.
CREATE TABLE receipt_counters (
    group_id       uuid    NOT NULL REFERENCES groups (id),
    project_id     uuid    NOT NULL,
    year           integer NOT NULL,
    last_sequence  bigint  NOT NULL,
    PRIMARY KEY (group_id, project_id, year),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id)
);

-- Receipts: never deleted; a void keeps its number with the reason.
CREATE TABLE receipts (
    group_id       uuid          NOT NULL REFERENCES groups (id),
    id             uuid          NOT NULL,
    project_id     uuid          NOT NULL,
    deal_id        uuid          NOT NULL,
    collection_id  uuid          NOT NULL,
    year           integer       NOT NULL,
    sequence       bigint        NOT NULL,
    number         text          NOT NULL,
    amount         numeric(14,2) NOT NULL,
    payer          text,
    issued_at      timestamptz   NOT NULL DEFAULT now(),
    issued_by      text          NOT NULL,
    voided_at      timestamptz,
    voided_by      text,
    void_reason    text,
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    FOREIGN KEY (group_id, collection_id) REFERENCES collections (group_id, id),
    CONSTRAINT receipts_sequence_key UNIQUE (group_id, project_id, year, sequence),
    CONSTRAINT receipts_number_key UNIQUE (group_id, project_id, number),
    CONSTRAINT receipts_void_check CHECK ((voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT receipts_amount_check CHECK (amount > 0)
);
CREATE INDEX receipts_deal ON receipts (group_id, deal_id);
CREATE INDEX receipts_day ON receipts (group_id, project_id, issued_at);
CREATE FUNCTION receipts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL
       OR (NEW.id, NEW.project_id, NEW.deal_id, NEW.collection_id, NEW.year, NEW.sequence, NEW.number, NEW.amount, NEW.issued_at)
          IS DISTINCT FROM (OLD.id, OLD.project_id, OLD.deal_id, OLD.collection_id, OLD.year, OLD.sequence, OLD.number, OLD.amount, OLD.issued_at) THEN
        RAISE EXCEPTION 'receipts are kept: the only change is a void, once' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER receipts_keep BEFORE UPDATE OR DELETE ON receipts FOR EACH ROW EXECUTE FUNCTION receipts_keep();
CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- The invoice register (invoices are issued by the tax system; Estate records them).
CREATE TABLE invoices (
    group_id     uuid          NOT NULL REFERENCES groups (id),
    id           uuid          NOT NULL,
    project_id   uuid          NOT NULL,
    deal_id      uuid          NOT NULL,
    number       text          NOT NULL,
    amount       numeric(14,2) NOT NULL,
    issued_on    date          NOT NULL,
    recorded_by  text          NOT NULL,
    recorded_at  timestamptz   NOT NULL DEFAULT now(),
    voided_at    timestamptz,
    void_reason  text,
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    CONSTRAINT invoices_number_key UNIQUE (group_id, project_id, number),
    CONSTRAINT invoices_void_check CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX invoices_deal ON invoices (group_id, deal_id);

-- Exchange rates by day: one unit of currency is rate units of the group's currency.
CREATE TABLE exchange_rates (
    group_id     uuid          NOT NULL REFERENCES groups (id),
    currency     text          NOT NULL,
    on_date      date          NOT NULL,
    rate         numeric(18,6) NOT NULL,
    recorded_by  text          NOT NULL,
    recorded_at  timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, currency, on_date),
    CONSTRAINT exchange_rates_currency_check CHECK (currency ~ '^[A-Z]{3}$' AND currency <> 'CNY'),
    CONSTRAINT exchange_rates_rate_check CHECK (rate > 0)
);

-- Special transactions and approvals: a request with its reason, the decision, and the execution
-- that records before and after.
CREATE TABLE change_requests (
    group_id       uuid        NOT NULL REFERENCES groups (id),
    id             uuid        NOT NULL,
    deal_id        uuid        NOT NULL,
    kind           text        NOT NULL,
    status         text        NOT NULL DEFAULT 'pending',
    reason         text        NOT NULL,
    -- What is asked (new room, buyers, discount, payment method, refund terms, the price below the floor).
    payload        jsonb       NOT NULL DEFAULT '{}',
    requested_by   text        NOT NULL,
    requested_at   timestamptz NOT NULL DEFAULT now(),
    decided_by     text,
    decided_at     timestamptz,
    decision_note  text,
    executed_at    timestamptz,
    before         jsonb,
    after          jsonb,
    version        integer     NOT NULL DEFAULT 1,
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, deal_id) REFERENCES deals (group_id, id),
    CONSTRAINT change_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'executed')),
    CONSTRAINT change_requests_decision_check CHECK ((status = 'pending') = (decided_at IS NULL)),
    CONSTRAINT change_requests_execution_check CHECK ((status = 'executed') = (executed_at IS NOT NULL))
);
CREATE INDEX change_requests_deal ON change_requests (group_id, deal_id, id);
CREATE INDEX change_requests_pending ON change_requests (group_id, status) WHERE status IN ('pending', 'approved');
-- One open request of a kind per deal.
CREATE UNIQUE INDEX change_requests_open_kind ON change_requests (group_id, deal_id, kind) WHERE status IN ('pending', 'approved');

-- Idempotency keys of POSTs that create deals, steps, collections, refunds and receipts. The row is
-- written in the same transaction as the work: a concurrent retry waits on the key, then replays
-- the stored response; a failed attempt leaves no row.
CREATE TABLE idempotency_keys (
    group_id       uuid        NOT NULL REFERENCES groups (id),
    -- Who sent it (user:<id> or api_key:<id>): keys are the caller's own.
    principal      text        NOT NULL,
    key            text        NOT NULL,
    method         text        NOT NULL,
    path           text        NOT NULL,
    request_hash   text        NOT NULL,
    status         integer     NOT NULL DEFAULT 0,
    headers        jsonb       NOT NULL DEFAULT '{}',
    -- The response body as sent (JSON or XML text).
    body           text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, principal, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['deals', 'deal_buyers', 'deal_steps', 'deal_history', 'receivables', 'collections', 'allocations',
                             'refunds', 'receipt_counters', 'receipts', 'invoices', 'exchange_rates', 'change_requests',
                             'idempotency_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group())',
                       t || '_group', t);
    END LOOP;
END;
$$;
