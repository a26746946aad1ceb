import Foundation

/// Part of a collection (or refund) set against one receivable line.
public struct Allocation: Sendable, Hashable {
    public var lineID: UUID
    /// More than 0.
    public var amount: Money

    /// `amount` against line `lineID`.
    public init(lineID: UUID, amount: Money) {
        self.lineID = lineID
        self.amount = amount
    }
}

/// How one collection (cash, card, transfer; in full or in part) is set against a deal's receivables.
///
/// By default the money pays the open lines **oldest due first**, lines due the same day in the order
/// given, each up to what is still open on it. The client may instead name the allocations itself;
/// they are then checked, not changed. Whatever the allocations leave of the amount is **credit**: kept
/// on the deal, never lost, to allocate later or to refund.
public struct CollectionAllocation: Sendable, Hashable {
    /// The lines paid and by how much, in the order they were paid (explicit ones in the client's order).
    public var allocations: [Allocation]
    /// The part of the collection no line took.
    public var credit: Money

    /// An allocation as computed (``allocate(_:to:as:)`` makes them).
    public init(allocations: [Allocation], credit: Money) {
        self.allocations = allocations
        self.credit = credit
    }

    /// The allocation of a collection of `amount` to the deal's receivable `lines`.
    ///
    /// - Parameter chosen: the client's allocations, or nil for oldest due first.
    /// - Throws: ``DealInputError`` naming `amount` (must be more than 0), `allocations[i].lineId`
    ///   (not a line given, or named twice), `allocations[i].amount` (more than 0, at most what is open on
    ///   the line), `allocations` (together more than the amount).
    public static func allocate(_ amount: Money, to lines: [ReceivableLine], as chosen: [Allocation]? = nil) throws(DealInputError) -> CollectionAllocation {
        var violations: [FieldViolation] = []
        if amount <= .zero { violations.append(FieldViolation(field: "amount", message: "must be more than 0")) }
        if let chosen {
            violations += allocationViolations(chosen, lines: lines, limit: \.open, limitName: "what is open on the line")
            if violations.isEmpty, total(chosen) > Int128(amount.minorUnits) {
                violations.append(FieldViolation(field: "allocations", message: "must not add up to more than the amount of \(amount)"))
            }
            try DealInputError.check(violations)
            return CollectionAllocation(allocations: chosen, credit: amount - Money(minorUnits: Int64(total(chosen))))
        }
        try DealInputError.check(violations)
        var left = amount
        var allocations: [Allocation] = []
        let oldestFirst = lines.enumerated().sorted { ($0.element.dueDate, $0.offset) < ($1.element.dueDate, $1.offset) }
        for (_, line) in oldestFirst where left > .zero && line.open > .zero {
            let part = min(left, line.open)
            allocations.append(Allocation(lineID: line.id, amount: part))
            left = left - part
        }
        return CollectionAllocation(allocations: allocations, credit: left)
    }

    /// The rules each of `allocations` must keep against `lines`: a line given, once, an amount more than
    /// 0 and at most `limit` of the line.
    static func allocationViolations(_ allocations: [Allocation], lines: [ReceivableLine], limit: (ReceivableLine) -> Money,
                                     limitName: String) -> [FieldViolation] {
        var result: [FieldViolation] = []
        let byID = Dictionary(lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [UUID: Int] = [:]
        for (index, allocation) in allocations.enumerated() {
            func add(_ field: String, _ message: String) { result.append(FieldViolation(field: "allocations[\(index)].\(field)", message: message)) }
            guard let line = byID[allocation.lineID] else {
                add("lineId", "is not a receivable of this deal")
                continue
            }
            if let earlier = seen[allocation.lineID] {
                add("lineId", "is already allocations[\(earlier)]")
                continue
            }
            seen[allocation.lineID] = index
            if allocation.amount <= .zero {
                add("amount", "must be more than 0")
            } else if allocation.amount > limit(line) {
                add("amount", "must not exceed \(limitName), \(limit(line))")
            }
        }
        return result
    }

    static func total(_ allocations: [Allocation]) -> Int128 {
        allocations.reduce(Int128(0)) { $0 + Int128($1.amount.minorUnits) }
    }
}

/// Where the money of a refund comes from: collections taken back from receivable lines, and the
/// deal's credit.
public struct RefundAllocation: Sendable, Hashable {
    /// Money taken back from lines, each at most what was collected on the line.
    public var allocations: [Allocation]
    /// Money taken from the deal's credit.
    public var fromCredit: Money

    /// A refund taking `allocations` back from lines and `fromCredit` from the credit.
    public init(allocations: [Allocation], fromCredit: Money = .zero) {
        self.allocations = allocations
        self.fromCredit = fromCredit
    }

    /// Every rule the refund of `amount` breaks against the deal's `lines` and `credit`; empty when
    /// acceptable:
    /// - `amount`: more than 0; `fromCredit`: 0 to the credit;
    /// - `allocations[i].lineId`: a line given, once; `allocations[i].amount`: more than 0, at most what
    ///   was collected on the line (``ReceivableLine/paid``);
    /// - `allocations`: together with `fromCredit`, exactly the amount.
    public func violations(amount: Money, lines: [ReceivableLine], credit: Money) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if amount <= .zero { result.append(FieldViolation(field: "amount", message: "must be more than 0")) }
        if fromCredit < .zero || fromCredit > credit {
            result.append(FieldViolation(field: "fromCredit", message: "must be between 0 and the credit of \(credit)"))
        }
        result += CollectionAllocation.allocationViolations(allocations, lines: lines, limit: \.paid, limitName: "what was collected on the line")
        if result.isEmpty, CollectionAllocation.total(allocations) + Int128(fromCredit.minorUnits) != Int128(amount.minorUnits) {
            result.append(FieldViolation(field: "allocations", message: "must add up with fromCredit to the amount of \(amount)"))
        }
        return result
    }
}

extension CollectionAllocation {
    /// The allocation of a collection at the cashier's desk: the client's `chosen` allocations as given
    /// (checked against every line, loan lines included: the lender's funds name their loan line), or
    /// else **oldest due first over the buyer's lines only** (``ReceivablePayer/buyer``): a loan line is
    /// paid by its lender and never takes a buyer's money by default. The rest is credit.
    ///
    /// - Throws: ``DealInputError`` as ``allocate(_:to:as:)``.
    public static func collect(_ amount: Money, on lines: [ReceivableLine], as chosen: [Allocation]? = nil) throws(DealInputError) -> CollectionAllocation {
        if let chosen { return try allocate(amount, to: lines, as: chosen) }
        return try allocate(amount, to: lines.filter { $0.kind.payer == .buyer })
    }
}

extension RefundAllocation {
    /// A refund of `amount` taken **from the credit first** (as much of it as the credit holds), the rest
    /// from the paid lines the client names in `chosen` (which must add up to exactly that rest).
    ///
    /// - Throws: ``DealInputError`` naming `allocations` (required when the credit does not cover the
    ///   amount, and then adding up to the rest; empty when it does) and the fields of
    ///   ``violations(amount:lines:credit:)``.
    public static func creditFirst(_ amount: Money, lines: [ReceivableLine], credit: Money,
                                   as chosen: [Allocation]?) throws(DealInputError) -> RefundAllocation {
        let fromCredit = max(.zero, min(credit, amount))
        let rest = amount - fromCredit
        if amount > .zero {
            if rest > .zero && (chosen ?? []).isEmpty {
                throw DealInputError([FieldViolation(field: "allocations",
                    message: "must name the paid lines to refund \(rest) from (the credit covers \(fromCredit))")])
            }
            if rest == .zero, let chosen, !chosen.isEmpty {
                throw DealInputError([FieldViolation(field: "allocations",
                    message: "must be left out: the credit of \(credit) covers the refund (credit is refunded first)")])
            }
        }
        let refund = RefundAllocation(allocations: chosen ?? [], fromCredit: fromCredit)
        try DealInputError.check(refund.violations(amount: amount, lines: lines, credit: credit))
        return refund
    }
}
