import Foundation

/// One line of a regenerated schedule: an existing line kept for the money collected on it, or a new
/// line to create.
public struct RegeneratedLine: Sendable, Hashable {
    /// The existing line kept, its amount cut to what was collected on it; nil for a new line.
    public var keptLineID: UUID?
    public var kind: ReceivableKind
    public var dueDate: LocalDate
    /// What the line is now for, more than 0.
    public var amount: Money
    /// What is collected on it: all of `amount` for a kept line, 0 for a new one.
    public var paid: Money

    /// A line of a regenerated schedule.
    public init(keptLineID: UUID?, kind: ReceivableKind, dueDate: LocalDate, amount: Money, paid: Money) {
        self.keptLineID = keptLineID
        self.kind = kind
        self.dueDate = dueDate
        self.amount = amount
        self.paid = paid
    }
}

/// Money collected on an existing line that the new schedule no longer needs: move `amount` of the
/// line's collections to the deal's credit (to refund, or to use later), never lose it.
public struct CreditRelease: Sendable, Hashable {
    public var lineID: UUID
    public var amount: Money

    /// `amount` of line `lineID` goes to credit.
    public init(lineID: UUID, amount: Money) {
        self.lineID = lineID
        self.amount = amount
    }
}

/// A payment schedule regenerated for a new price or payment method (a change of discount or of
/// payment method) with the money already collected kept where it is.
///
/// The rule, payer by payer (the buyer, the commercial lender, the provident fund: ``ReceivableKind/payer``):
/// 1. The new schedule is generated as for a new deal (``PaymentSchedule/generate(price:deposit:subscriptionDate:terms:rules:)``).
/// 2. Every existing line with money collected on it is **kept**, with its id, kind and due date, and
///    its amount cut to what was collected (its unpaid rest is dropped), oldest due first, as long as
///    the payer's new lines (their sum: the payer's share of the new price) still need money. A kept
///    line whose money the payer's share does not need is cut further, and that money is released to
///    credit (``CreditRelease``); a kept line cut to 0 is not listed, only released.
/// 3. The payer's new lines, in schedule order, are reduced by what the kept lines cover; a new line
///    reduced to 0 is left out.
/// 4. Every existing line not listed is superseded: the data layer closes it (history keeps it).
///
/// So the lines add up exactly to the new price, and collected money = money on kept lines + credit.
/// Loan money stays against the same loan: switching a buyer who has paid in full to a mortgage turns
/// the buyer's money beyond the new down payment into credit, refundable when the loan arrives.
public struct RegeneratedSchedule: Sendable, Hashable {
    /// The schedule generated for the new terms, before the collected money was set against it.
    public var generated: PaymentSchedule
    /// Kept lines first (oldest due first, ties in the order given), then the new lines in schedule order.
    public var lines: [RegeneratedLine]
    /// Collected money the new schedule does not need, line by line.
    public var releasedToCredit: [CreditRelease]

    /// A regenerated schedule (``PaymentSchedule/regenerate(existing:price:deposit:subscriptionDate:terms:rules:)`` makes them).
    public init(generated: PaymentSchedule, lines: [RegeneratedLine], releasedToCredit: [CreditRelease]) {
        self.generated = generated
        self.lines = lines
        self.releasedToCredit = releasedToCredit
    }

    /// All the money released to credit.
    public var credit: Money { releasedToCredit.reduce(.zero) { $0 + $1.amount } }
}

extension PaymentSchedule {
    /// The schedule for new `terms`, `price` and `deposit` with the money collected on the `existing`
    /// schedule lines kept (the rule: ``RegeneratedSchedule``).
    ///
    /// - Parameter existing: the deal's current schedule lines (kinds that are part of the price), with
    ///   what is collected on each.
    /// - Throws: ``DealInputError`` with the violations of the new terms
    ///   (``violations(price:deposit:terms:rules:)``) and of the existing lines: `lines[i].kind` (not
    ///   part of the price), `lines[i].id` (twice), `lines[i].amount` (negative), `lines[i].paid`
    ///   (negative or above the amount).
    public static func regenerate(existing: [ReceivableLine], price: Money, deposit: Money, subscriptionDate: LocalDate,
                                  terms: PaymentTerms, rules: PaymentRules = .standard) throws(DealInputError) -> RegeneratedSchedule {
        var violations = Self.violations(price: price, deposit: deposit, terms: terms, rules: rules)
        var seen: Set<UUID> = []
        for (index, line) in existing.enumerated() {
            func add(_ field: String, _ message: String) { violations.append(FieldViolation(field: "lines[\(index)].\(field)", message: message)) }
            if !seen.insert(line.id).inserted { add("id", "is given twice") }
            if !line.kind.isPartOfPrice { add("kind", "\(line.kind.rawValue) is not part of a payment schedule") }
            if line.amount < .zero { add("amount", "must not be negative") }
            if line.paid < .zero || line.paid > max(line.amount, .zero) { add("paid", "must be between 0 and the amount") }
        }
        try DealInputError.check(violations)
        let generated = try generate(price: price, deposit: deposit, subscriptionDate: subscriptionDate, terms: terms, rules: rules)

        let collected = existing.enumerated()
            .filter { $0.element.paid > .zero }
            .sorted { ($0.element.dueDate, $0.offset) < ($1.element.dueDate, $1.offset) }
            .map(\.element)
        var kept: [RegeneratedLine] = [], fresh: [RegeneratedLine] = [], released: [CreditRelease] = []
        var needed: [ReceivablePayer: Money] = [:]
        for line in generated.lines { needed[line.kind.payer, default: .zero] = needed[line.kind.payer, default: .zero] + line.amount }
        var covered: [ReceivablePayer: Money] = [:]
        for line in collected {
            let payer = line.kind.payer
            let keep = min(line.paid, needed[payer, default: .zero] - covered[payer, default: .zero])
            covered[payer, default: .zero] = covered[payer, default: .zero] + keep
            if keep > .zero {
                kept.append(RegeneratedLine(keptLineID: line.id, kind: line.kind, dueDate: line.dueDate, amount: keep, paid: keep))
            }
            if line.paid > keep { released.append(CreditRelease(lineID: line.id, amount: line.paid - keep)) }
        }
        for line in generated.lines {
            let payer = line.kind.payer
            let cut = min(line.amount, covered[payer, default: .zero])
            covered[payer, default: .zero] = covered[payer, default: .zero] - cut
            if line.amount > cut {
                fresh.append(RegeneratedLine(keptLineID: nil, kind: line.kind, dueDate: line.dueDate, amount: line.amount - cut, paid: .zero))
            }
        }
        return RegeneratedSchedule(generated: generated, lines: kept + fresh, releasedToCredit: released)
    }
}
