import Foundation

/// Why a collection cannot be reversed.
public enum CollectionReversalError: Error, Sendable, Hashable {
    /// Part of the collection's money is no longer on the deal where the collection put it (refunded,
    /// or moved by a later change): `missing` of it cannot be taken back.
    case moneyMoved(missing: Money)
}

/// Taking a collection back off a deal when its receipt is voided (the money was never received: a
/// bounced transfer, a payment booked to the wrong deal). The void is a correction, not a refund:
/// exactly the collection's amount leaves the deal, and whatever the collection paid is open again.
///
/// The rule: each line the collection paid gives back what the collection put on it, as far as the
/// line still holds it (``ReceivableLine/paid``); the rest comes from the deal's credit. When the
/// lines and the credit together no longer hold the whole amount (the money was since refunded, or
/// released and used), the reversal is refused: undo the later movement first.
public struct CollectionReversal: Sendable, Hashable {
    /// What leaves each line, in the order the collection paid them; amounts more than 0.
    public var fromLines: [Allocation]
    /// What leaves the deal's credit.
    public var fromCredit: Money

    /// A reversal as computed (``reverse(_:paid:lines:credit:)`` makes them).
    public init(fromLines: [Allocation], fromCredit: Money) {
        self.fromLines = fromLines
        self.fromCredit = fromCredit
    }

    /// The reversal of a collection of `amount` that `paid` the lines (its allocations, in order; the
    /// rest of the amount went to credit), against the deal's current `lines` and `credit`.
    ///
    /// - Throws: ``CollectionReversalError/moneyMoved(missing:)`` when lines and credit cannot give back
    ///   the whole amount.
    public static func reverse(_ amount: Money, paid: [Allocation], lines: [ReceivableLine],
                               credit: Money) throws(CollectionReversalError) -> CollectionReversal {
        var held = Dictionary(lines.map { ($0.id, max(.zero, $0.paid)) }, uniquingKeysWith: { first, _ in first })
        var left = amount
        var fromLines: [Allocation] = []
        for allocation in paid where left > .zero && allocation.amount > .zero {
            let part = min(allocation.amount, held[allocation.lineID] ?? .zero, left)
            guard part > .zero else { continue }
            held[allocation.lineID] = (held[allocation.lineID] ?? .zero) - part
            if let index = fromLines.firstIndex(where: { $0.lineID == allocation.lineID }) {
                fromLines[index].amount = fromLines[index].amount + part
            } else {
                fromLines.append(Allocation(lineID: allocation.lineID, amount: part))
            }
            left = left - part
        }
        let fromCredit = min(left, max(.zero, credit))
        left = left - fromCredit
        guard left == .zero else { throw .moneyMoved(missing: left) }
        return CollectionReversal(fromLines: fromLines, fromCredit: fromCredit)
    }
}
