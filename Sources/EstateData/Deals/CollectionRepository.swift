import EstateLogic
import Foundation
import PQ

/// Money received for a deal, as stored.
public struct StoredCollection: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var dealID: UUID
    public var projectID: UUID
    public var method: CollectionMethod
    /// In the group's currency: the money the deal received.
    public var amount: Money
    /// A payment in a foreign currency: what was paid, the rate it converted at and the rate's day.
    public var foreign: ForeignAmount?
    public var rate: Coefficient?
    public var rateDate: LocalDate?
    public var receivedOn: LocalDate
    public var payer: String?
    public var reference: String?
    /// Of `amount`: what no receivable took (held as the deal's credit).
    public var toCredit: Money
    public var recordedBy: String
    public var recordedAt: Date

    public init(groupID: UUID, id: UUID, dealID: UUID, projectID: UUID, method: CollectionMethod, amount: Money, foreign: ForeignAmount?,
                rate: Coefficient?, rateDate: LocalDate?, receivedOn: LocalDate, payer: String?, reference: String?, toCredit: Money,
                recordedBy: String, recordedAt: Date) {
        self.groupID = groupID
        self.id = id
        self.dealID = dealID
        self.projectID = projectID
        self.method = method
        self.amount = amount
        self.foreign = foreign
        self.rate = rate
        self.rateDate = rateDate
        self.receivedOn = receivedOn
        self.payer = payer
        self.reference = reference
        self.toCredit = toCredit
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// What moved money onto or off a receivable line (the `allocations` table).
public enum AllocationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A collection paying the line (+).
    case collection
    /// A refund taking money back from the line (−).
    case refund
    /// A regenerated schedule releasing paid money to the deal's credit (−).
    case release
    /// Credit applied to the line (+).
    case credit
    /// A voided receipt taking its collection's money back off the line (−).
    case void
}

/// One movement of money on a receivable line.
public struct StoredAllocation: Sendable, Hashable {
    public var id: UUID
    public var dealID: UUID
    public var receivableID: UUID
    public var receivableKind: ReceivableKind
    public var kind: AllocationKind
    public var collectionID: UUID?
    public var refundID: UUID?
    /// Signed: + onto the line, − off it.
    public var amount: Money
    public var at: Date
}

/// Money paid back to a deal's buyers (or its lenders), as stored.
public struct StoredRefund: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var dealID: UUID
    public var projectID: UUID
    public var method: CollectionMethod
    public var amount: Money
    /// Of `amount`: what came out of the deal's credit (the rest out of paid lines).
    public var fromCredit: Money
    public var refundedOn: LocalDate
    public var reason: String
    public var recordedBy: String
    public var recordedAt: Date

    public init(groupID: UUID, id: UUID, dealID: UUID, projectID: UUID, method: CollectionMethod, amount: Money, fromCredit: Money,
                refundedOn: LocalDate, reason: String, recordedBy: String, recordedAt: Date) {
        self.groupID = groupID
        self.id = id
        self.dealID = dealID
        self.projectID = projectID
        self.method = method
        self.amount = amount
        self.fromCredit = fromCredit
        self.refundedOn = refundedOn
        self.reason = reason
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// Collections, refunds and the allocations that move their money onto and off receivable lines.
/// A line's `paid` always changes with an allocation row of the same amount, in one statement pair.
public struct CollectionRepository: Sendable {
    let transaction: PQTransaction

    // MARK: Collections

    static let collectionColumns: SQL = """
        c.group_id, c.id, c.deal_id, c.project_id, c.method, c.amount, c.currency, c.foreign_amount::text AS foreign_amount,
        c.rate::text AS rate, c.rate_date, c.received_on, c.payer, c.reference, c.to_credit, c.recorded_by, c.recorded_at
        """

    /// The scale `collections.foreign_amount` keeps.
    static let foreignScale = 4

    static func decodeCollection(_ row: PQRow) throws -> StoredCollection {
        let methodText: String = try row.decode("method")
        guard let method = CollectionMethod(rawValue: methodText) else { throw DataError.internalFailure("collection by unknown method \(methodText)") }
        var foreign: ForeignAmount?
        var rate: Coefficient?
        if let text = try row.decode("foreign_amount", as: String?.self) {
            guard let currency = CurrencyCode(try row.decode("currency")), let stored = FixedPoint.parse(text, scale: foreignScale),
                  let rateText = try row.decode("rate", as: String?.self), let parsed = Coefficient(rateText) else {
                throw DataError.internalFailure("collection with an unreadable foreign amount")
            }
            foreign = ForeignAmount(currency: currency, minorUnits: stored / FixedPoint.power(foreignScale - currency.minorUnitDigits))
            rate = parsed
        }
        return StoredCollection(groupID: try row.decode("group_id"), id: try row.decode("id"), dealID: try row.decode("deal_id"),
                                projectID: try row.decode("project_id"), method: method, amount: try row.decode("amount"), foreign: foreign,
                                rate: rate, rateDate: try row.decode("rate_date"), receivedOn: try row.decode("received_on"),
                                payer: try row.decode("payer"), reference: try row.decode("reference"), toCredit: try row.decode("to_credit"),
                                recordedBy: try row.decode("recorded_by"), recordedAt: try row.decode("recorded_at"))
    }

    /// Records a collection and moves its `allocations` onto their lines (the rest is `toCredit`; the
    /// caller keeps the deal's credit).
    public func insert(_ collection: StoredCollection, allocations: [Allocation]) async throws {
        let foreignText = collection.foreign.map { FixedPoint.format($0.minorUnits, scale: $0.currency.minorUnitDigits) }
        try await transaction.execute("""
            INSERT INTO collections (group_id, id, deal_id, project_id, method, amount, currency, foreign_amount, rate, rate_date,
                                     received_on, payer, reference, to_credit, recorded_by, recorded_at)
            VALUES (\(collection.groupID), \(collection.id), \(collection.dealID), \(collection.projectID), \(collection.method.rawValue),
                    \(collection.amount), \(collection.foreign?.currency.code ?? CurrencyCode.cny.code), \(foreignText)::numeric,
                    \(collection.rate?.description)::numeric, \(collection.rateDate), \(collection.receivedOn), \(collection.payer),
                    \(collection.reference), \(collection.toCredit), \(collection.recordedBy), \(collection.recordedAt))
            """)
        try await move(groupID: collection.groupID, dealID: collection.dealID, .collection, collectionID: collection.id,
                       allocations.map { ($0.lineID, $0.amount) })
    }

    public func collection(groupID: UUID, id: UUID) async throws -> StoredCollection? {
        try await transaction.query("SELECT \(Self.collectionColumns) FROM collections c WHERE c.group_id = \(groupID) AND c.id = \(id)")
            .firstRow.map(Self.decodeCollection)
    }

    /// A deal's collections, oldest recorded first.
    public func collections(groupID: UUID, dealID: UUID) async throws -> [StoredCollection] {
        try await transaction.query("""
            SELECT \(Self.collectionColumns) FROM collections c WHERE c.group_id = \(groupID) AND c.deal_id = \(dealID) ORDER BY c.id
            """).map(Self.decodeCollection)
    }

    // MARK: Allocations

    /// Moves money onto (+) or off (−) lines of a deal: one allocation row per line and the line's paid with it.
    func move(groupID: UUID, dealID: UUID, _ kind: AllocationKind, collectionID: UUID? = nil, refundID: UUID? = nil,
              _ amounts: [(lineID: UUID, amount: Money)]) async throws {
        let moves = amounts.filter { $0.amount != .zero }
        guard !moves.isEmpty else { return }
        try await transaction.execute("""
            INSERT INTO allocations (group_id, id, deal_id, receivable_id, kind, collection_id, refund_id, amount)
            SELECT \(groupID), x.id, \(dealID), x.receivable_id, \(kind.rawValue), \(collectionID), \(refundID), x.amount
            FROM unnest(\(moves.map { _ in UUIDv7.make() })::uuid[], \(moves.map(\.lineID))::uuid[], \(moves.map(\.amount))::numeric[])
                 WITH ORDINALITY AS x(id, receivable_id, amount, n)
            ORDER BY x.n
            """)
        let changed = try await transaction.execute("""
            UPDATE receivables r SET paid = r.paid + x.amount
            FROM (SELECT receivable_id, sum(amount) AS amount FROM unnest(\(moves.map(\.lineID))::uuid[], \(moves.map(\.amount))::numeric[])
                  AS m(receivable_id, amount) GROUP BY receivable_id) x
            WHERE r.group_id = \(groupID) AND r.deal_id = \(dealID) AND r.id = x.receivable_id
            """)
        guard changed == Set(moves.map(\.lineID)).count else { throw DataError.internalFailure("allocation to a line of another deal") }
    }

    /// Every allocation of a deal, oldest first.
    public func allocations(groupID: UUID, dealID: UUID) async throws -> [StoredAllocation] {
        try await transaction.query("""
            SELECT a.id, a.deal_id, a.receivable_id, r.kind AS receivable_kind, a.kind, a.collection_id, a.refund_id, a.amount, a.at
            FROM allocations a JOIN receivables r ON r.group_id = a.group_id AND r.id = a.receivable_id
            WHERE a.group_id = \(groupID) AND a.deal_id = \(dealID) ORDER BY a.at, a.id
            """).map { row in
            guard let kind = AllocationKind(rawValue: try row.decode("kind")),
                  let lineKind = ReceivableKind(rawValue: try row.decode("receivable_kind")) else {
                throw DataError.internalFailure("allocation of an unknown kind")
            }
            return StoredAllocation(id: try row.decode("id"), dealID: try row.decode("deal_id"), receivableID: try row.decode("receivable_id"),
                                    receivableKind: lineKind, kind: kind, collectionID: try row.decode("collection_id"),
                                    refundID: try row.decode("refund_id"), amount: try row.decode("amount"), at: try row.decode("at"))
        }
    }

    /// Takes a voided collection's money back off its lines (allocations of kind void).
    public func reverse(_ collection: StoredCollection, _ reversal: CollectionReversal) async throws {
        try await move(groupID: collection.groupID, dealID: collection.dealID, .void, collectionID: collection.id,
                       reversal.fromLines.map { ($0.lineID, -$0.amount) })
    }

    // MARK: Refunds

    static func decodeRefund(_ row: PQRow) throws -> StoredRefund {
        let methodText: String = try row.decode("method")
        guard let method = CollectionMethod(rawValue: methodText) else { throw DataError.internalFailure("refund by unknown method \(methodText)") }
        return StoredRefund(groupID: try row.decode("group_id"), id: try row.decode("id"), dealID: try row.decode("deal_id"),
                            projectID: try row.decode("project_id"), method: method, amount: try row.decode("amount"),
                            fromCredit: try row.decode("from_credit"), refundedOn: try row.decode("refunded_on"), reason: try row.decode("reason"),
                            recordedBy: try row.decode("recorded_by"), recordedAt: try row.decode("recorded_at"))
    }

    /// Records a refund and takes its `allocations` back off their lines (the caller keeps the deal's credit).
    public func insert(_ refund: StoredRefund, allocations: [Allocation]) async throws {
        try await transaction.execute("""
            INSERT INTO refunds (group_id, id, deal_id, project_id, method, amount, from_credit, refunded_on, reason, recorded_by, recorded_at)
            VALUES (\(refund.groupID), \(refund.id), \(refund.dealID), \(refund.projectID), \(refund.method.rawValue), \(refund.amount),
                    \(refund.fromCredit), \(refund.refundedOn), \(refund.reason), \(refund.recordedBy), \(refund.recordedAt))
            """)
        try await move(groupID: refund.groupID, dealID: refund.dealID, .refund, refundID: refund.id, allocations.map { ($0.lineID, -$0.amount) })
    }

    /// A deal's refunds, oldest first.
    public func refunds(groupID: UUID, dealID: UUID) async throws -> [StoredRefund] {
        try await transaction.query("""
            SELECT group_id, id, deal_id, project_id, method, amount, from_credit, refunded_on, reason, recorded_by, recorded_at
            FROM refunds WHERE group_id = \(groupID) AND deal_id = \(dealID) ORDER BY id
            """).map(Self.decodeRefund)
    }
}

extension UnitOfWork {
    public var collections: CollectionRepository { CollectionRepository(transaction: transaction) }
}
