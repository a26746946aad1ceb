import EstateLogic
import Foundation
import PQ

/// A receipt as stored, with the collection it acknowledges.
public struct StoredReceipt: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var dealID: UUID
    public var number: ReceiptNumber
    public var amount: Money
    public var payer: String?
    public var issuedAt: Date
    public var issuedBy: String
    public var voidedAt: Date?
    public var voidedBy: String?
    public var voidReason: String?
    public var collection: StoredCollection

    public var isVoided: Bool { voidedAt != nil }
}

/// One year of a project's receipt register within a period: how many, the first and last number,
/// and whether the sequence is unbroken.
public struct ReceiptRegisterYear: Sendable, Hashable {
    public var year: Int
    public var count: Int
    public var firstSequence: Int
    public var lastSequence: Int
    public var voided: Int
    /// Receipts not voided.
    public var liveTotal: Money
    public var voidedTotal: Money
    /// Sequences between the first and the last that no receipt has (at most 100 listed; always empty
    /// unless the database was tampered with).
    public var missing: [Int]
}

/// Receipts: numbered without gaps per project and year in the transaction that records the
/// collection, never deleted, voided once with a reason.
public struct ReceiptRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        r.group_id AS receipt_group_id, r.id AS receipt_id, r.project_id AS receipt_project_id, r.deal_id AS receipt_deal_id, r.number,
        r.amount AS receipt_amount, r.payer AS receipt_payer, r.issued_at, r.issued_by, r.voided_at, r.voided_by, r.void_reason,
        \(CollectionRepository.collectionColumns)
        """
    static let from: SQL = "receipts r JOIN collections c ON c.group_id = r.group_id AND c.id = r.collection_id"

    static func decode(_ row: PQRow) throws -> StoredReceipt {
        guard let number = ReceiptNumber(try row.decode("number", as: String.self)) else { throw DataError.internalFailure("unreadable receipt number") }
        return StoredReceipt(groupID: try row.decode("receipt_group_id"), id: try row.decode("receipt_id"), projectID: try row.decode("receipt_project_id"),
                             dealID: try row.decode("receipt_deal_id"), number: number, amount: try row.decode("receipt_amount"),
                             payer: try row.decode("receipt_payer"), issuedAt: try row.decode("issued_at"), issuedBy: try row.decode("issued_by"),
                             voidedAt: try row.decode("voided_at"), voidedBy: try row.decode("voided_by"), voidReason: try row.decode("void_reason"),
                             collection: try CollectionRepository.decodeCollection(row))
    }

    /// Issues the receipt of `collection` with the project's next number of the current year (in
    /// `timeZone`): the year's counter row is locked until the transaction ends, so numbers are handed
    /// out one transaction at a time, a rolled-back issue leaves no gap, and issue times follow the
    /// numbers. The year's first receipt fixes the year's prefix (`prefix` is used then).
    public func issue(for collection: StoredCollection, prefix: String, timeZone: TimeZone, issuedBy: String) async throws -> StoredReceipt {
        guard let row = try await transaction.query("""
            INSERT INTO receipt_counters AS rc (group_id, project_id, year, last_sequence, prefix)
            VALUES (\(collection.groupID), \(collection.projectID), extract(year FROM clock_timestamp() AT TIME ZONE \(timeZone.identifier))::int, 1, \(prefix))
            ON CONFLICT (group_id, project_id, year) DO UPDATE SET last_sequence = rc.last_sequence + 1, prefix = coalesce(rc.prefix, EXCLUDED.prefix)
            RETURNING year, last_sequence, prefix
            """).firstRow else { throw DataError.internalFailure("no receipt counter") }
        let year = Int(try row.decode("year", as: Int32.self))
        let sequence = Int(try row.decode("last_sequence", as: Int64.self))
        guard let number = ReceiptNumber(prefix: try row.decode("prefix"), year: year, sequence: sequence) else {
            throw DataError.internalFailure("receipt number out of range")
        }
        let id = UUIDv7.make()
        try await transaction.execute("""
            INSERT INTO receipts (group_id, id, project_id, deal_id, collection_id, year, sequence, number, amount, payer, issued_at, issued_by)
            VALUES (\(collection.groupID), \(id), \(collection.projectID), \(collection.dealID), \(collection.id), \(Int32(year)), \(Int64(sequence)),
                    \(number.description), \(collection.amount), \(collection.payer), clock_timestamp(), \(issuedBy))
            """)
        guard let receipt = try await find(groupID: collection.groupID, id: id) else { throw DataError.internalFailure("receipt vanished") }
        return receipt
    }

    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredReceipt? {
        let locking: SQL = lock ? "FOR UPDATE OF r" : ""
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.id = \(id) \(locking)")
            .firstRow.map(Self.decode)
    }

    /// A deal's receipts in number order.
    public func receipts(groupID: UUID, dealID: UUID) async throws -> [StoredReceipt] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.deal_id = \(dealID) ORDER BY r.year, r.sequence
            """).map(Self.decode)
    }

    /// Voids a receipt that is not voided yet; false when it already was.
    public func void(groupID: UUID, id: UUID, by actor: String, reason: String) async throws -> Bool {
        try await transaction.execute("""
            UPDATE receipts SET voided_at = clock_timestamp(), voided_by = \(actor), void_reason = \(reason)
            WHERE group_id = \(groupID) AND id = \(id) AND voided_at IS NULL
            """) == 1
    }

    // MARK: The register

    /// The project's receipts issued in `[from, to)`, in number order, after the receipt `cursor`.
    public func register(groupID: UUID, projectID: UUID, from: Date, to: Date, after cursor: UUID?, limit: Int) async throws -> [StoredReceipt] {
        var after: SQL = ""
        if let cursor {
            after = "AND (r.year, r.sequence) > (SELECT k.year, k.sequence FROM receipts k WHERE k.group_id = \(groupID) AND k.id = \(cursor))"
        }
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE r.group_id = \(groupID) AND r.project_id = \(projectID) AND r.issued_at >= \(from) AND r.issued_at < \(to) \(after)
            ORDER BY r.year, r.sequence LIMIT \(limit)
            """).map(Self.decode)
    }

    /// The register's years in `[from, to)` with counts, totals and the gap check.
    public func registerYears(groupID: UUID, projectID: UUID, from: Date, to: Date) async throws -> [ReceiptRegisterYear] {
        var years = try await transaction.query("""
            SELECT year, count(*) AS n, min(sequence) AS first, max(sequence) AS last, count(*) FILTER (WHERE voided_at IS NOT NULL) AS voided,
                   coalesce(sum(amount) FILTER (WHERE voided_at IS NULL), 0) AS live_total,
                   coalesce(sum(amount) FILTER (WHERE voided_at IS NOT NULL), 0) AS voided_total
            FROM receipts WHERE group_id = \(groupID) AND project_id = \(projectID) AND issued_at >= \(from) AND issued_at < \(to)
            GROUP BY year ORDER BY year
            """).map { row in
            ReceiptRegisterYear(year: Int(try row.decode("year", as: Int32.self)), count: Int(try row.decode("n", as: Int64.self)),
                                firstSequence: Int(try row.decode("first", as: Int64.self)), lastSequence: Int(try row.decode("last", as: Int64.self)),
                                voided: Int(try row.decode("voided", as: Int64.self)), liveTotal: try row.decode("live_total"),
                                voidedTotal: try row.decode("voided_total"), missing: [])
        }
        for index in years.indices where years[index].lastSequence - years[index].firstSequence + 1 != years[index].count {
            let year = years[index]
            years[index].missing = try await transaction.query("""
                SELECT s FROM generate_series(\(Int64(year.firstSequence)), \(Int64(year.lastSequence))) AS s
                WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.group_id = \(groupID) AND r.project_id = \(projectID)
                                  AND r.year = \(Int32(year.year)) AND r.sequence = s)
                ORDER BY s LIMIT 100
                """).map { Int(try $0.decode("s", as: Int64.self)) }
        }
        return years
    }
}

extension UnitOfWork {
    public var receipts: ReceiptRepository { ReceiptRepository(transaction: transaction) }
}
