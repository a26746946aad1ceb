import EstateLogic
import Foundation
import PQ

/// A row of a deal's history.
public struct DealHistoryEntry: Sendable, Hashable {
    public let id: UUID
    public let dealID: UUID
    public let event: String
    public let fromStage: DealStage?
    public let toStage: DealStage
    /// JSON text.
    public let before: String?
    /// JSON text.
    public let after: String?
    public let actor: String
    public let reason: String?
    public let at: Date
}

/// A receivable line as stored, with what superseded it.
public struct StoredReceivable: Sendable, Hashable {
    public var line: ReceivableLine
    public var dealID: UUID
    public var position: Int
    public var label: String?
    public var supersededAt: Date?

    public init(line: ReceivableLine, dealID: UUID, position: Int, label: String? = nil, supersededAt: Date? = nil) {
        self.line = line
        self.dealID = dealID
        self.position = position
        self.label = label
        self.supersededAt = supersededAt
    }
}

/// What a deal list is filtered by.
public struct DealQuery: Sendable, Hashable {
    public var projectID: UUID?
    public var roomID: UUID?
    public var customerID: UUID?
    public var ownerID: UUID?
    public var stages: [DealStage]

    public init(projectID: UUID? = nil, roomID: UUID? = nil, customerID: UUID? = nil, ownerID: UUID? = nil, stages: [DealStage] = []) {
        self.projectID = projectID
        self.roomID = roomID
        self.customerID = customerID
        self.ownerID = ownerID
        self.stages = stages
    }
}

/// Why a deal write is refused by the database's own rules.
public enum DealDataError: Error, Sendable, Hashable {
    /// The room already has a live deal (the partial unique index deals_one_live_per_room).
    case roomTaken(roomID: UUID)
}

/// Deals, their buyers, history and receivables.
public struct DealRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        d.group_id, d.id, d.project_id, d.room_id, d.owner_id, d.stage, d.deposit_kind, d.deposit_amount, d.reserved_until,
        d.list_price, d.final_price, d.floor_price, d.discounts, d.payment_method, d.payment_terms, d.price_approval_id,
        d.subscribed_on, d.credit, d.ended_reason, d.version, d.created_by, d.created_at, d.updated_at, o.path,
        ARRAY(SELECT b.customer_id FROM deal_buyers b WHERE b.group_id = d.group_id AND b.deal_id = d.id ORDER BY b.position) AS buyer_ids,
        ARRAY(SELECT b.share_bp FROM deal_buyers b WHERE b.group_id = d.group_id AND b.deal_id = d.id ORDER BY b.position) AS buyer_shares
        """
    static let from: SQL = "deals d JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id"

    static func decode(_ row: PQRow) throws -> Deal {
        let stageText: String = try row.decode("stage")
        guard let stage = DealStage(rawValue: stageText) else { throw DataError.internalFailure("deal in unknown stage \(stageText)") }
        let ids = try row.decode("buyer_ids", as: [UUID].self)
        let shares = try row.decode("buyer_shares", as: [Int32].self)
        guard ids.count == shares.count else { throw DataError.internalFailure("deal buyers disagree") }
        var deposit: Deposit?
        if let kind = try row.decode("deposit_kind", as: String?.self) {
            guard let parsed = DepositKind(rawValue: kind) else { throw DataError.internalFailure("deal with unknown deposit kind") }
            deposit = Deposit(kind: parsed, amount: try row.decode("deposit_amount"))
        }
        var pricing: DealPricing?
        if let finalPrice = try row.decode("final_price", as: Money?.self), let listPrice = try row.decode("list_price", as: Money?.self),
           let terms = try row.decode("payment_terms", as: PQJSON?.self) {
            pricing = DealPricing(listPrice: listPrice, discounts: try row.decode("discounts", as: PQJSON.self).decode(),
                                  finalPrice: finalPrice, floorPrice: try row.decode("floor_price"), terms: try terms.decode(),
                                  priceApprovalID: try row.decode("price_approval_id"))
        }
        return Deal(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                    projectPath: try row.decode("path"), roomID: try row.decode("room_id"), ownerID: try row.decode("owner_id"),
                    stage: stage, buyers: zip(ids, shares).map { DealBuyer(customerID: $0, shareBasisPoints: Int($1)) },
                    deposit: deposit, reservedUntil: try row.decode("reserved_until"), pricing: pricing,
                    subscribedOn: try row.decode("subscribed_on"), credit: try row.decode("credit"),
                    endedReason: try row.decode("ended_reason"), version: try row.decode("version"),
                    createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// Inserts a new deal with its buyers. A second live deal for the room is ``DealDataError/roomTaken(roomID:)``.
    public func insert(_ deal: Deal) async throws {
        let pricing = deal.pricing
        do {
            try await transaction.execute("""
                INSERT INTO deals (group_id, id, project_id, room_id, owner_id, stage, deposit_kind, deposit_amount, reserved_until,
                                   list_price, final_price, floor_price, discounts, payment_method, payment_terms, price_approval_id,
                                   subscribed_on, credit, created_by, created_at, updated_at)
                VALUES (\(deal.groupID), \(deal.id), \(deal.projectID), \(deal.roomID), \(deal.ownerID), \(deal.stage.rawValue),
                        \(deal.deposit?.kind.rawValue), \(deal.deposit?.amount ?? .zero), \(deal.reservedUntil),
                        \(pricing?.listPrice), \(pricing?.finalPrice), \(pricing?.floorPrice), \(try PQJSON(encoding: pricing?.discounts ?? [])),
                        \(pricing?.terms.method.rawValue), \(try pricing.map { try PQJSON(encoding: $0.terms) }), \(pricing?.priceApprovalID),
                        \(deal.subscribedOn), \(deal.credit), \(deal.createdBy), \(deal.createdAt), \(deal.updatedAt))
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "deals_one_live_per_room" {
            throw DealDataError.roomTaken(roomID: deal.roomID)
        }
        try await replaceBuyers(deal, isNew: true)
    }

    /// Writes the deal's buyers (all of them, in order).
    func replaceBuyers(_ deal: Deal, isNew: Bool = false) async throws {
        if !isNew { try await transaction.execute("DELETE FROM deal_buyers WHERE group_id = \(deal.groupID) AND deal_id = \(deal.id)") }
        try await transaction.execute("""
            INSERT INTO deal_buyers (group_id, deal_id, customer_id, position, share_bp)
            SELECT \(deal.groupID), \(deal.id), b.customer_id, b.position, b.share_bp
            FROM unnest(\(deal.buyers.map(\.customerID))::uuid[], \(deal.buyers.map { Int32($0.shareBasisPoints) })::int[])
                 WITH ORDINALITY AS b(customer_id, share_bp, position)
            """)
    }

    /// Stores a changed deal when it still has `deal.version` (its stage, prices, deposit, buyers,
    /// credit, end); the stored deal comes back with the next version.
    public func update(_ deal: Deal) async throws -> Deal {
        let pricing = deal.pricing
        let changed = try await transaction.execute("""
            UPDATE deals SET stage = \(deal.stage.rawValue), owner_id = \(deal.ownerID), deposit_kind = \(deal.deposit?.kind.rawValue),
                   deposit_amount = \(deal.deposit?.amount ?? .zero), reserved_until = \(deal.reservedUntil),
                   list_price = \(pricing?.listPrice), final_price = \(pricing?.finalPrice), floor_price = \(pricing?.floorPrice),
                   discounts = \(try PQJSON(encoding: pricing?.discounts ?? [])), payment_method = \(pricing?.terms.method.rawValue),
                   payment_terms = \(try pricing.map { try PQJSON(encoding: $0.terms) }), price_approval_id = \(pricing?.priceApprovalID),
                   subscribed_on = \(deal.subscribedOn), credit = \(deal.credit), ended_reason = \(deal.endedReason),
                   version = version + 1, updated_at = now()
            WHERE group_id = \(deal.groupID) AND id = \(deal.id) AND version = \(deal.version)
            """)
        guard changed == 1 else { throw VersionConflict(object: "deal", current: deal.version) }
        let stored = try await find(groupID: deal.groupID, id: deal.id)
        if stored?.buyers != deal.buyers { try await replaceBuyers(deal) }
        guard let result = try await find(groupID: deal.groupID, id: deal.id) else { throw DataError.internalFailure("deal vanished") }
        return result
    }

    public func find(groupID: UUID, id: UUID) async throws -> Deal? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = \(id)")
            .firstRow.map(Self.decode)
    }

    /// The deal, locked until the transaction ends.
    public func lock(groupID: UUID, id: UUID) async throws -> Deal? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = \(id) FOR UPDATE OF d")
            .firstRow.map(Self.decode)
    }

    /// Deals under `roots` matching `query`, newest first (keyset on id, which is time-ordered).
    public func search(groupID: UUID, under roots: [UUID], _ query: DealQuery, before cursor: UUID?, limit: Int) async throws -> [Deal] {
        var conditions: [SQL] = ["d.group_id = \(groupID)", "o.path && \(roots)"]
        if let projectID = query.projectID { conditions.append("d.project_id = \(projectID)") }
        if let roomID = query.roomID { conditions.append("d.room_id = \(roomID)") }
        if let ownerID = query.ownerID { conditions.append("d.owner_id = \(ownerID)") }
        if let customerID = query.customerID {
            conditions.append("EXISTS (SELECT 1 FROM deal_buyers b WHERE b.group_id = d.group_id AND b.deal_id = d.id AND b.customer_id = \(customerID))")
        }
        if !query.stages.isEmpty { conditions.append("d.stage = ANY(\(query.stages.map(\.rawValue))::text[])") }
        if let cursor { conditions.append("d.id < \(cursor)") }
        var condition = conditions[0]
        for next in conditions.dropFirst() { condition = "\(condition) AND \(next)" }
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE \(condition) ORDER BY d.id DESC LIMIT \(limit)")
            .map(Self.decode)
    }

    /// Executes an approved price_approval request of the deal for exactly `finalPrice` (its payload's
    /// `finalPrice`); false when there is no such request.
    public func usePriceApproval(groupID: UUID, dealID: UUID, requestID: UUID, finalPrice: Money) async throws -> Bool {
        try await transaction.execute("""
            UPDATE change_requests SET status = 'executed', executed_at = now(), after = jsonb_build_object('finalPrice', \(finalPrice.description)),
                   version = version + 1
            WHERE group_id = \(groupID) AND id = \(requestID) AND deal_id = \(dealID) AND kind = 'price_approval' AND status = 'approved'
              AND payload->>'finalPrice' = \(finalPrice.description)
            """) == 1
    }

    // MARK: History

    /// JSON of a history snapshot (dates as RFC 3339).
    static func snapshot(_ value: (any Encodable)?) throws -> PQJSON? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return PQJSON(text: String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Appends a history row: the event, the stage before and after, and the deal before and after
    /// (as the API shows it).
    public func record(_ deal: Deal, event: String, from: DealStage?, before: (any Encodable)? = nil, after: (any Encodable)? = nil,
                       actor: String, reason: String? = nil) async throws {
        let before = try Self.snapshot(before), after = try Self.snapshot(after)
        try await transaction.execute("""
            INSERT INTO deal_history (group_id, id, deal_id, event, from_stage, to_stage, before, after, actor, reason)
            VALUES (\(deal.groupID), \(UUIDv7.make()), \(deal.id), \(event), \(from?.rawValue), \(deal.stage.rawValue),
                    \(before), \(after), \(actor), \(reason))
            """)
    }

    /// A deal's history, oldest first.
    public func history(groupID: UUID, dealID: UUID) async throws -> [DealHistoryEntry] {
        try await transaction.query("""
            SELECT id, deal_id, event, from_stage, to_stage, before, after, actor, reason, at
            FROM deal_history WHERE group_id = \(groupID) AND deal_id = \(dealID) ORDER BY at, id
            """).map { row in
            guard let to = DealStage(rawValue: try row.decode("to_stage")) else { throw DataError.internalFailure("history with unknown stage") }
            return DealHistoryEntry(id: try row.decode("id"), dealID: try row.decode("deal_id"), event: try row.decode("event"),
                                    fromStage: try row.decode("from_stage", as: String?.self).flatMap(DealStage.init(rawValue:)), toStage: to,
                                    before: try row.decode("before", as: PQJSON?.self)?.text, after: try row.decode("after", as: PQJSON?.self)?.text, actor: try row.decode("actor"),
                                    reason: try row.decode("reason"), at: try row.decode("at"))
        }
    }

    // MARK: Receivables

    static func decodeReceivable(_ row: PQRow) throws -> StoredReceivable {
        let kindText: String = try row.decode("kind")
        guard let kind = ReceivableKind(rawValue: kindText) else { throw DataError.internalFailure("receivable of unknown kind \(kindText)") }
        return StoredReceivable(line: ReceivableLine(id: try row.decode("id"), kind: kind, dueDate: try row.decode("due_on"),
                                                     amount: try row.decode("amount"), paid: try row.decode("paid")),
                                dealID: try row.decode("deal_id"), position: Int(try row.decode("position", as: Int32.self)),
                                label: try row.decode("label"), supersededAt: try row.decode("superseded_at"))
    }

    /// A deal's receivables in schedule order; superseded lines only when asked.
    public func receivables(groupID: UUID, dealID: UUID, includingSuperseded: Bool = false, lock: Bool = false) async throws -> [StoredReceivable] {
        let current: SQL = includingSuperseded ? "" : "AND superseded_at IS NULL"
        let locking: SQL = lock ? "FOR UPDATE" : ""
        return try await transaction.query("""
            SELECT id, deal_id, position, kind, due_on, amount, paid, label, superseded_at FROM receivables
            WHERE group_id = \(groupID) AND deal_id = \(dealID) \(current) ORDER BY position, id \(locking)
            """).map(Self.decodeReceivable)
    }

    /// Adds lines to a deal's receivables after its current last position (`newDeal`: it has none yet).
    public func addReceivables(groupID: UUID, dealID: UUID, _ lines: [ScheduleLine], labels: [String?]? = nil,
                               newDeal: Bool = false) async throws -> [StoredReceivable] {
        guard !lines.isEmpty else { return [] }
        let start = newDeal ? 0 : try await transaction.query("""
            SELECT coalesce(max(position), 0) AS last FROM receivables WHERE group_id = \(groupID) AND deal_id = \(dealID)
            """).firstRow?.decode("last", as: Int32.self) ?? 0
        let stored = lines.enumerated().map { index, line in
            StoredReceivable(line: ReceivableLine(id: UUIDv7.make(), kind: line.kind, dueDate: line.dueDate, amount: line.amount),
                             dealID: dealID, position: Int(start) + index + 1, label: labels?[index])
        }
        try await transaction.execute("""
            INSERT INTO receivables (group_id, id, deal_id, position, kind, due_on, amount, label)
            SELECT \(groupID), x.id, \(dealID), x.position, x.kind, x.due_on, x.amount, nullif(x.label, '')
            FROM unnest(\(stored.map(\.line.id))::uuid[], \(stored.map { Int32($0.position) })::int[], \(stored.map(\.line.kind.rawValue))::text[],
                        \(stored.map(\.line.dueDate))::date[], \(stored.map(\.line.amount))::numeric[], \(stored.map { $0.label ?? "" })::text[])
                 AS x(id, position, kind, due_on, amount, label)
            """)
        return stored
    }

    /// Puts a regenerated schedule in place of the deal's `existing` current lines: money the new
    /// schedule does not need is released to credit (an allocation of kind release, the line's paid
    /// going down with it), kept lines are cut to their new amount, the other existing lines are
    /// superseded and the new lines added. Returns the money released to credit.
    public func applySchedule(groupID: UUID, dealID: UUID, existing: [StoredReceivable], _ schedule: RegeneratedSchedule) async throws -> Money {
        try await release(groupID: groupID, dealID: dealID, schedule.releasedToCredit)
        var kept: Set<UUID> = []
        for line in schedule.lines {
            guard let id = line.keptLineID else { continue }
            kept.insert(id)
            try await transaction.execute("UPDATE receivables SET amount = \(line.amount) WHERE group_id = \(groupID) AND id = \(id)")
        }
        try await supersede(groupID: groupID, ids: existing.map(\.line.id).filter { !kept.contains($0) })
        _ = try await addReceivables(groupID: groupID, dealID: dealID, schedule.lines.filter { $0.keptLineID == nil }.map {
            ScheduleLine(kind: $0.kind, dueDate: $0.dueDate, amount: $0.amount)
        })
        return schedule.credit
    }

    /// Moves collected money from lines to the deal's credit: an allocation of kind release per line,
    /// the line's paid going down with it (the caller adds the total to the deal's credit).
    public func release(groupID: UUID, dealID: UUID, _ releases: [CreditRelease]) async throws {
        for release in releases where release.amount > .zero {
            try await transaction.execute("""
                INSERT INTO allocations (group_id, id, deal_id, receivable_id, kind, amount)
                VALUES (\(groupID), \(UUIDv7.make()), \(dealID), \(release.lineID), 'release', \(-release.amount))
                """)
            try await transaction.execute("""
                UPDATE receivables SET paid = paid - \(release.amount) WHERE group_id = \(groupID) AND id = \(release.lineID)
                """)
        }
    }

    /// Closes open lines that a regenerated schedule replaces (their paid part was kept by the new schedule).
    public func supersede(groupID: UUID, ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await transaction.execute("""
            UPDATE receivables SET superseded_at = now() WHERE group_id = \(groupID) AND id = ANY(\(ids)::uuid[]) AND superseded_at IS NULL
            """)
    }
}

extension UnitOfWork {
    public var deals: DealRepository { DealRepository(transaction: transaction) }
}
