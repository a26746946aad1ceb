import Foundation

/// The accounts a voucher for finance posts to (finance maps them to its chart of accounts).
public enum VoucherAccount: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cash at the sales office's desk.
    case cash
    /// The project's bank account (card payments and transfers).
    case bank
    /// Deposits received from buyers (the deposit line).
    case buyerDeposit = "buyer_deposit"
    /// What buyers owe on the price (down payments, instalments) and on area settlements.
    case buyerReceivable = "buyer_receivable"
    /// What lenders pay out on the buyer's behalf (commercial and provident-fund loans).
    case loanReceivable = "loan_receivable"
    /// Fees collected on behalf of others (maintenance fund, deed tax): a liability to them.
    case collectedForOthers = "collected_for_others"
    /// Money held for the buyer beyond every receivable (the deal's credit).
    case buyerCredit = "buyer_credit"

    /// The account money of `method` goes to or comes from: `cash` in cash, `bank` by card or transfer,
    /// the buyer's credit when a payment is made out of it.
    public static func money(method: String) -> VoucherAccount {
        switch method {
        case "cash": .cash
        case "credit": .buyerCredit
        default: .bank
        }
    }

    /// The account of a receivable line of `kind`.
    public static func receivable(_ kind: ReceivableKind) -> VoucherAccount {
        switch kind {
        case .deposit: .buyerDeposit
        case .downPayment, .instalment, .areaSettlement: .buyerReceivable
        case .commercialLoan, .providentFundLoan: .loanReceivable
        case .collectedForOthers: .collectedForOthers
        }
    }
}

public enum VoucherSide: String, Sendable, Hashable, Codable {
    case debit
    case credit

    public var opposite: VoucherSide { self == .debit ? .credit : .debit }
}

/// What a voucher records: money received (a collection and its receipt), a voided receipt (the
/// reversal of its collection), money paid back (a refund).
public enum VoucherKind: String, Sendable, Hashable, Codable, CaseIterable {
    case collection
    case receiptVoid = "receipt_void"
    case refund

    /// The order of vouchers written by one transaction (a collection before a void of it).
    public var rank: Int32 {
        switch self {
        case .collection: 1
        case .receiptVoid: 2
        case .refund: 3
        }
    }

    /// The side the money account is on: debited when money comes in, credited when it goes out.
    public var moneySide: VoucherSide { self == .collection ? .debit : .credit }
}

/// One line of a voucher: an account debited or credited with an amount (more than 0), and the
/// receivable kind it came from when it is a receivable's account.
public struct VoucherLine: Sendable, Hashable {
    public var side: VoucherSide
    public var account: VoucherAccount
    public var receivableKind: ReceivableKind?
    public var amount: Money

    public init(side: VoucherSide, account: VoucherAccount, receivableKind: ReceivableKind? = nil, amount: Money) {
        self.side = side
        self.account = account
        self.receivableKind = receivableKind
        self.amount = amount
    }
}

/// Why a voucher cannot be made: the movements on the lines are more than the money moved (the
/// stored collection, void or refund disagrees with its allocations).
public struct VoucherError: Error, Sendable, Hashable, CustomStringConvertible {
    public let amount: Money
    public let allocated: Money

    public var description: String { "allocations of \(allocated) exceed the amount \(amount)" }
}

/// Balanced voucher lines for one money event (DOMAIN.md, "Money"): the money account (cash or
/// bank) on one side for the whole amount; on the other, what the money came off or went onto, by
/// receivable kind, and the rest through the buyer's credit.
///
/// - collection: debit cash/bank; credit each receivable kind with what the collection paid on it,
///   the buyer's credit with what it put aside;
/// - receipt void (a reversing entry): credit cash/bank; debit each receivable kind with what the
///   void took back off it, the buyer's credit with the rest;
/// - refund: credit cash/bank; debit each receivable kind with what the refund took back off paid
///   lines, the buyer's credit with what came out of it.
public enum VoucherLines {
    /// The lines of a `kind` event of `amount` paid by `method`, whose movements on receivable lines
    /// were `allocations` (by kind, of either sign: their size counts). Lines of one account and kind
    /// are summed; the money line comes first, then receivables in kind order, then the credit.
    public static func make(_ kind: VoucherKind, method: String, amount: Money,
                            allocations: [(kind: ReceivableKind, amount: Money)]) throws(VoucherError) -> [VoucherLine] {
        var byKind: [ReceivableKind: Money] = [:]
        for allocation in allocations {
            byKind[allocation.kind, default: .zero] = byKind[allocation.kind, default: .zero] + Money(minorUnits: abs(allocation.amount.minorUnits))
        }
        let allocated = byKind.values.reduce(Money.zero, +)
        guard allocated <= amount, amount > .zero else { throw VoucherError(amount: amount, allocated: allocated) }
        let other = kind.moneySide.opposite
        var lines = [VoucherLine(side: kind.moneySide, account: .money(method: method), amount: amount)]
        for receivable in ReceivableKind.allCases {
            guard let part = byKind[receivable], part > .zero else { continue }
            lines.append(VoucherLine(side: other, account: .receivable(receivable), receivableKind: receivable, amount: part))
        }
        if amount - allocated > .zero {
            lines.append(VoucherLine(side: other, account: .buyerCredit, amount: amount - allocated))
        }
        return lines
    }

    /// The sums of the debit and the credit lines (equal for every voucher ``make(_:method:amount:allocations:)`` makes).
    public static func totals(_ lines: [VoucherLine]) -> (debit: Money, credit: Money) {
        lines.reduce((Money.zero, Money.zero)) { sums, line in
            line.side == .debit ? (sums.0 + line.amount, sums.1) : (sums.0, sums.1 + line.amount)
        }
    }
}
