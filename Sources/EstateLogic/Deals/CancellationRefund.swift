import Foundation

/// Whose doing ends a deal, which decides what happens to an earnest (定金).
public enum CancellationReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The buyer walks away for the buyer's own reasons: the earnest is forfeited.
    case buyerDefault = "buyer_default"
    /// The developer cannot or will not deliver: the earnest is returned double.
    case developerFault = "developer_fault"
    /// Both agree to part (or the buyer cancels by right, e.g. an area difference beyond 3 %): everything is returned.
    case mutual
}

/// What a cancelled or terminated deal pays back, and to whom.
///
/// The rule (Civil Code arts. 586 and 587 for the earnest):
/// - the earnest is what was **collected** on the `deposit` line when the deposit is an earnest (an
///   earnest agreed but not paid binds nobody); intent money is always refunded;
/// - `buyerDefault`: the earnest is forfeited (kept by the developer), everything else the buyer paid
///   is refunded;
/// - `developerFault`: everything the buyer paid is refunded, and the developer pays as much again as
///   the earnest (``earnestPenalty``: the earnest returned double);
/// - `mutual`: everything the buyer paid is refunded;
/// - loan money goes back to whoever lent it (the commercial bank, the provident fund), never to the
///   buyer; money collected for others (maintenance fund, ...) and area settlements go back to the buyer.
///
/// Contractual damages beyond the earnest are not computed here.
public struct CancellationRefund: Sendable, Hashable {
    /// Refunded to the buyer, the earnest penalty included.
    public var toBuyer: Money
    /// Returned to the commercial bank.
    public var toCommercialLender: Money
    /// Returned to the provident fund.
    public var toProvidentFund: Money
    /// The earnest the developer keeps (buyer default).
    public var forfeitedEarnest: Money
    /// What the developer pays on top of the refund (developer fault: as much as the earnest).
    public var earnestPenalty: Money

    /// A refund as computed (``compute(collected:depositKind:reason:)`` makes them).
    public init(toBuyer: Money, toCommercialLender: Money, toProvidentFund: Money, forfeitedEarnest: Money, earnestPenalty: Money) {
        self.toBuyer = toBuyer
        self.toCommercialLender = toCommercialLender
        self.toProvidentFund = toProvidentFund
        self.forfeitedEarnest = forfeitedEarnest
        self.earnestPenalty = earnestPenalty
    }

    /// Everything paid out: to the buyer and to the lenders.
    public var total: Money { toBuyer + toCommercialLender + toProvidentFund }

    /// The refund of a deal that collected `collected` (net of earlier refunds, per receivable kind),
    /// whose deposit is of `depositKind` (nil: no deposit), ended for `reason`.
    ///
    /// - Throws: ``DealInputError`` naming `collected.<kind>` for a negative amount.
    public static func compute(collected: [ReceivableKind: Money], depositKind: DepositKind?,
                               reason: CancellationReason) throws(DealInputError) -> CancellationRefund {
        try DealInputError.check(ReceivableKind.allCases.compactMap { kind in
            (collected[kind] ?? .zero) < .zero ? FieldViolation(field: "collected.\(kind.rawValue)", message: "must not be negative") : nil
        })
        var paid: [ReceivablePayer: Money] = [:]
        for (kind, amount) in collected { paid[kind.payer, default: .zero] = paid[kind.payer, default: .zero] + amount }
        let buyerPaid = paid[.buyer] ?? .zero
        let earnest = depositKind == .earnest ? collected[.deposit] ?? .zero : .zero
        let forfeited = reason == .buyerDefault ? earnest : .zero
        let penalty = reason == .developerFault ? earnest : .zero
        return CancellationRefund(toBuyer: buyerPaid - forfeited + penalty, toCommercialLender: paid[.commercialLender] ?? .zero,
                                  toProvidentFund: paid[.providentFund] ?? .zero, forfeitedEarnest: forfeited, earnestPenalty: penalty)
    }

    /// What `lines` collected, per kind (their ``ReceivableLine/paid`` added up): the `collected` of
    /// ``compute(collected:depositKind:reason:)`` for a deal whose current lines these are.
    public static func collected(on lines: [ReceivableLine]) -> [ReceivableKind: Money] {
        lines.reduce(into: [:]) { result, line in
            if line.paid != .zero { result[line.kind, default: .zero] = result[line.kind, default: .zero] + line.paid }
        }
    }

    /// The money to move from the ended deal's `lines` (the ones this refund was computed from) to the
    /// deal's credit, from where it is paid back to the buyer: everything collected on the buyer's lines,
    /// except the forfeited earnest, which stays on the deposit lines (oldest due first, ties in the order
    /// given) as the developer's. Loan money stays on the loan lines, to go back from there to its lender;
    /// the earnest penalty is not collected money and is owed on top (``earnestPenalty``).
    ///
    /// So the releases add up to ``toBuyer`` less ``earnestPenalty``.
    public func releases(from lines: [ReceivableLine]) -> [CreditRelease] {
        var earnestKept = forfeitedEarnest
        var result: [CreditRelease] = []
        let oldestFirst = lines.enumerated().sorted { ($0.element.dueDate, $0.offset) < ($1.element.dueDate, $1.offset) }.map(\.element)
        for line in oldestFirst where line.kind.payer == .buyer && line.paid > .zero {
            var amount = line.paid
            if line.kind == .deposit && earnestKept > .zero {
                let kept = min(earnestKept, line.paid)
                earnestKept = earnestKept - kept
                amount = amount - kept
            }
            if amount > .zero { result.append(CreditRelease(lineID: line.id, amount: amount)) }
        }
        return result
    }
}
