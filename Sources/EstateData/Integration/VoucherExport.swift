import EstateLogic
import Foundation
import PQ

/// One money event for finance's vouchers (``VoucherKind``), with the movements on receivable lines
/// it made (by kind, signed as stored).
public struct VoucherRecord: Sendable, Hashable {
    public var kind: VoucherKind
    /// The collection's, the voided receipt's or the refund's id.
    public var id: UUID
    public var dealID: UUID
    public var project: IntegrationUnit
    /// The voucher's day: the day the money was received or refunded, or the day the receipt was
    /// voided in the group's time zone.
    public var date: LocalDate
    /// When the event was recorded.
    public var recordedAt: Date
    public var recordedBy: String
    /// cash, card, transfer (credit: out of the buyer's credit).
    public var method: String
    /// In the group's currency.
    public var amount: Money
    /// A foreign payment's currency, amount (as stored, in its own minor unit) and rate.
    public var currency: String
    public var foreignAmount: String?
    public var rate: String?
    public var payer: String?
    public var reference: String?
    public var receiptID: UUID?
    public var receiptNumber: String?
    /// A void's or refund's reason.
    public var reason: String?
    /// The collection a void reverses.
    public var reverses: UUID?
    public var movements: [(kind: ReceivableKind, amount: Money)]

    public static func == (lhs: VoucherRecord, rhs: VoucherRecord) -> Bool { lhs.kind == rhs.kind && lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind); hasher.combine(id) }
}

extension IntegrationExports {
    /// Collections (with their receipts), receipt voids and refunds of projects under `roots`, on
    /// `date` when given, in sync order.
    public func vouchers(groupID: UUID, under roots: [UUID], on date: LocalDate?, after position: SyncPosition?, since: Date?,
                         limit: Int) async throws -> SyncPage<VoucherRecord> {
        func on(_ day: SQL) -> SQL {
            guard let date else { return "" }
            return "AND \(day) = \(date)"
        }
        let project: SQL = "o.id AS project_id, o.code AS project_code, o.name AS project_name"
        let source: SQL = """
            SELECT c.sync_xact AS sync_stamp, c.id AS sync_key, \(VoucherKind.collection.rank) AS sync_part, c.recorded_at AS sync_time,
                   'collection' AS kind, c.id, c.deal_id, \(project), c.received_on AS voucher_date, c.recorded_at, c.recorded_by,
                   c.method, c.amount, c.currency, c.foreign_amount::text AS foreign_amount, c.rate::text AS rate, c.payer, c.reference,
                   rc.id AS receipt_id, rc.number AS receipt_number, NULL::text AS reason, NULL::uuid AS reverses,
                   'collection' AS allocation_kind, c.id AS allocation_collection, NULL::uuid AS allocation_refund
            FROM collections c JOIN org_units o ON o.group_id = c.group_id AND o.id = c.project_id
            LEFT JOIN receipts rc ON rc.group_id = c.group_id AND rc.collection_id = c.id
            WHERE c.group_id = \(groupID) AND \(Self.scope(roots)) \(on("c.received_on"))
            UNION ALL
            SELECT rc.void_xact, rc.id, \(VoucherKind.receiptVoid.rank), rc.voided_at,
                   'receipt_void', rc.id, c.deal_id, \(project), (rc.voided_at AT TIME ZONE g.time_zone)::date, rc.voided_at, rc.voided_by,
                   c.method, c.amount, c.currency, c.foreign_amount::text, c.rate::text, c.payer, c.reference,
                   rc.id, rc.number, rc.void_reason, c.id, 'void', c.id, NULL
            FROM receipts rc JOIN collections c ON c.group_id = rc.group_id AND c.id = rc.collection_id
            JOIN org_units o ON o.group_id = c.group_id AND o.id = c.project_id
            JOIN groups g ON g.id = rc.group_id
            WHERE rc.group_id = \(groupID) AND rc.void_xact IS NOT NULL AND \(Self.scope(roots))
                  \(on("(rc.voided_at AT TIME ZONE g.time_zone)::date"))
            UNION ALL
            SELECT f.sync_xact, f.id, \(VoucherKind.refund.rank), f.recorded_at,
                   'refund', f.id, f.deal_id, \(project), f.refunded_on, f.recorded_at, f.recorded_by,
                   f.method, f.amount, 'CNY', NULL, NULL, NULL, NULL, NULL, NULL, f.reason, NULL, 'refund', NULL, f.id
            FROM refunds f JOIN org_units o ON o.group_id = f.group_id AND o.id = f.project_id
            WHERE f.group_id = \(groupID) AND \(Self.scope(roots)) \(on("f.refunded_on"))
            """
        // The movements on receivable lines of the page's events: a collection's and a void's name the
        // collection, a refund's the refund.
        let details: SQL = """
            SELECT coalesce(jsonb_agg(jsonb_build_object('kind', m.kind, 'amount', m.amount::text) ORDER BY m.id), '[]') AS movements
            FROM (SELECT a.id, v.kind, a.amount FROM allocations a JOIN receivables v ON v.group_id = a.group_id AND v.id = a.receivable_id
                  WHERE a.group_id = \(groupID) AND a.kind = s.allocation_kind AND a.collection_id = s.allocation_collection
                  UNION ALL
                  SELECT a.id, v.kind, a.amount FROM allocations a JOIN receivables v ON v.group_id = a.group_id AND v.id = a.receivable_id
                  WHERE a.group_id = \(groupID) AND a.kind = 'refund' AND a.refund_id = s.allocation_refund) m
            """
        return try await IntegrationSync.page(transaction, source: source, details: details, after: position, since: since,
                                              limit: limit) { row in
            let kindText: String = try row.decode("kind")
            guard let kind = VoucherKind(rawValue: kindText) else { throw DataError.internalFailure("voucher of unknown kind \(kindText)") }
            struct Movement: Decodable { let kind: String; let amount: String }
            let movements = try row.decode("movements", as: PQJSON.self).decode([Movement].self).map { movement -> (kind: ReceivableKind, amount: Money) in
                guard let kind = ReceivableKind(rawValue: movement.kind), let amount = Money(movement.amount) else {
                    throw DataError.internalFailure("allocation of unknown kind \(movement.kind)")
                }
                return (kind: kind, amount: amount)
            }
            return VoucherRecord(
                kind: kind, id: try row.decode("id"), dealID: try row.decode("deal_id"), project: try .decode(row, "project"),
                date: try row.decode("voucher_date"), recordedAt: try row.decode("recorded_at"), recordedBy: try row.decode("recorded_by"),
                method: try row.decode("method"), amount: try row.decode("amount"), currency: try row.decode("currency"),
                foreignAmount: try row.decode("foreign_amount"), rate: try row.decode("rate"), payer: try row.decode("payer"),
                reference: try row.decode("reference"), receiptID: try row.decode("receipt_id"), receiptNumber: try row.decode("receipt_number"),
                reason: try row.decode("reason"), reverses: try row.decode("reverses"), movements: movements)
        }
    }
}
