import EstateLogic
import Foundation
import PQ

/// A buyer of a deal as the dunning list names them.
public struct ArrearsBuyer: Sendable, Hashable {
    public var customerID: UUID
    public var name: String
    public var shareBasisPoints: Int
}

/// One deal of the arrears list: its overdue lines and who to remind.
public struct ArrearsDeal: Sendable, Hashable {
    public var dealID: UUID
    public var roomID: UUID
    public var roomNumber: String
    public var stage: DealStage
    public var ownerID: UUID
    public var buyers: [ArrearsBuyer]
    /// The deal's open lines due before the day, oldest first.
    public var lines: [StoredReceivable]
}

/// Totals of an arrears list over all its deals.
public struct ArrearsTotals: Sendable, Hashable {
    public var deals: Int
    public var lines: Int
    public var overdue: Money
}

/// Reads for the dunning list and the collection forecast: open receivable lines of a project's
/// live deals (neither cancelled nor terminated).
public struct CollectionReportRepository: Sendable {
    let transaction: PQTransaction

    static func openLines(groupID: UUID, projectID: UUID, dueBefore day: LocalDate, kinds: [ReceivableKind]) -> SQL {
        """
        SELECT r.deal_id, r.id, r.position, r.kind, r.due_on, r.amount, r.paid, r.label, r.superseded_at
        FROM receivables r JOIN deals d ON d.group_id = r.group_id AND d.id = r.deal_id
        WHERE r.group_id = \(groupID) AND d.project_id = \(projectID) AND d.stage NOT IN ('cancelled', 'terminated')
          AND r.superseded_at IS NULL AND r.paid < r.amount AND r.due_on < \(day) AND r.kind = ANY(\(kinds.map(\.rawValue))::text[])
        """
    }

    /// The deals of `projectID` with lines of `kinds` open and due before `asOf`, the longest overdue
    /// first (by the due date of their oldest such line, then by id), after `cursor` (that date and deal id).
    public func arrears(groupID: UUID, projectID: UUID, asOf: LocalDate, kinds: [ReceivableKind], after cursor: (LocalDate, UUID)?,
                        limit: Int) async throws -> [ArrearsDeal] {
        var after: SQL = ""
        if let cursor { after = "WHERE (p.oldest, p.deal_id) > (\(cursor.0)::date, \(cursor.1)::uuid)" }
        let open = Self.openLines(groupID: groupID, projectID: projectID, dueBefore: asOf, kinds: kinds)
        let deals = try await transaction.query("""
            WITH open_lines AS (\(open)),
                 per_deal AS (SELECT deal_id, min(due_on) AS oldest FROM open_lines GROUP BY deal_id)
            SELECT p.deal_id, p.oldest, d.room_id, rm.number AS room_number, d.stage, d.owner_id,
                   ARRAY(SELECT b.customer_id FROM deal_buyers b WHERE b.group_id = d.group_id AND b.deal_id = d.id ORDER BY b.position) AS buyer_ids,
                   ARRAY(SELECT c.name FROM deal_buyers b JOIN customers c ON c.group_id = b.group_id AND c.id = b.customer_id
                         WHERE b.group_id = d.group_id AND b.deal_id = d.id ORDER BY b.position) AS buyer_names,
                   ARRAY(SELECT b.share_bp FROM deal_buyers b WHERE b.group_id = d.group_id AND b.deal_id = d.id ORDER BY b.position) AS buyer_shares
            FROM per_deal p JOIN deals d ON d.group_id = \(groupID) AND d.id = p.deal_id
                 JOIN rooms rm ON rm.group_id = d.group_id AND rm.id = d.room_id
            \(after)
            ORDER BY p.oldest, p.deal_id LIMIT \(limit)
            """).map { row -> ArrearsDeal in
            guard let stage = DealStage(rawValue: try row.decode("stage")) else { throw DataError.internalFailure("deal in unknown stage") }
            let ids = try row.decode("buyer_ids", as: [UUID].self), names = try row.decode("buyer_names", as: [String].self)
            let shares = try row.decode("buyer_shares", as: [Int32].self)
            guard ids.count == names.count, ids.count == shares.count else { throw DataError.internalFailure("deal buyers disagree") }
            return ArrearsDeal(dealID: try row.decode("deal_id"), roomID: try row.decode("room_id"), roomNumber: try row.decode("room_number"),
                               stage: stage, ownerID: try row.decode("owner_id"),
                               buyers: ids.indices.map { ArrearsBuyer(customerID: ids[$0], name: names[$0], shareBasisPoints: Int(shares[$0])) },
                               lines: [])
        }
        guard !deals.isEmpty else { return [] }
        let lines = try await transaction.query("""
            SELECT * FROM (\(open)) o WHERE o.deal_id = ANY(\(deals.map(\.dealID))::uuid[]) ORDER BY o.due_on, o.position
            """).map(DealRepository.decodeReceivable)
        let byDeal = Dictionary(grouping: lines, by: \.dealID)
        return deals.map { deal in
            var deal = deal
            deal.lines = byDeal[deal.dealID] ?? []
            return deal
        }
    }

    /// How many deals and lines the whole arrears list has, and what is overdue on them.
    public func arrearsTotals(groupID: UUID, projectID: UUID, asOf: LocalDate, kinds: [ReceivableKind]) async throws -> ArrearsTotals {
        guard let row = try await transaction.query("""
            SELECT count(DISTINCT o.deal_id) AS deals, count(*) AS lines, coalesce(sum(o.amount - o.paid), 0) AS overdue
            FROM (\(Self.openLines(groupID: groupID, projectID: projectID, dueBefore: asOf, kinds: kinds))) o
            """).firstRow else { throw DataError.internalFailure("no arrears totals") }
        return ArrearsTotals(deals: Int(try row.decode("deals", as: Int64.self)), lines: Int(try row.decode("lines", as: Int64.self)),
                             overdue: try row.decode("overdue"))
    }

    /// What is open on the project's live deals, by receivable kind and due month.
    public func openByMonth(groupID: UUID, projectID: UUID) async throws -> [OpenAmount] {
        try await transaction.query("""
            SELECT r.kind, to_char(r.due_on, 'YYYY-MM') AS month, sum(r.amount - r.paid) AS open
            FROM receivables r JOIN deals d ON d.group_id = r.group_id AND d.id = r.deal_id
            WHERE r.group_id = \(groupID) AND d.project_id = \(projectID) AND d.stage NOT IN ('cancelled', 'terminated')
              AND r.superseded_at IS NULL AND r.paid < r.amount
            GROUP BY r.kind, month
            """).map { row in
            guard let kind = ReceivableKind(rawValue: try row.decode("kind")), let month = YearMonth(try row.decode("month", as: String.self)) else {
                throw DataError.internalFailure("unreadable open amount")
            }
            return OpenAmount(kind: kind, month: month, open: try row.decode("open"))
        }
    }
}

extension UnitOfWork {
    public var collectionReports: CollectionReportRepository { CollectionReportRepository(transaction: transaction) }
}
