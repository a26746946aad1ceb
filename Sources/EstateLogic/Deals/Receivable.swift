import Foundation

/// What a receivable line of a deal is for (DOMAIN.md, "Money").
public enum ReceivableKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The deposit paid at subscription (定金 or intent money, ``DepositKind``); part of the price.
    case deposit
    /// The buyer's down payment (with full payment: the whole rest of the price at once).
    case downPayment = "down_payment"
    /// One instalment of an instalment plan.
    case instalment
    /// The loan a commercial bank pays out.
    case commercialLoan = "commercial_loan"
    /// The loan the housing provident fund pays out.
    case providentFundLoan = "provident_fund_loan"
    /// The area settlement the buyer owes (``AreaSettlement``); outside the price.
    case areaSettlement = "area_settlement"
    /// Fees collected on behalf of others (maintenance fund, deed tax, ...); outside the price.
    case collectedForOthers = "collected_for_others"

    /// Who pays the line.
    public var payer: ReceivablePayer {
        switch self {
        case .deposit, .downPayment, .instalment, .areaSettlement, .collectedForOthers: .buyer
        case .commercialLoan: .commercialLender
        case .providentFundLoan: .providentFund
        }
    }

    /// The kinds a payment schedule is made of: together they are the price.
    public var isPartOfPrice: Bool {
        switch self {
        case .deposit, .downPayment, .instalment, .commercialLoan, .providentFundLoan: true
        case .areaSettlement, .collectedForOthers: false
        }
    }
}

/// Whose money pays a receivable, and so to whom a refund of it goes.
public enum ReceivablePayer: String, Sendable, Hashable, Codable, CaseIterable {
    case buyer
    /// The commercial bank of a mortgage.
    case commercialLender = "commercial_lender"
    /// The housing provident fund centre.
    case providentFund = "provident_fund"
}

/// One receivable line of a deal as the money logic sees it: what is due, when, and how much of it
/// has been collected so far.
public struct ReceivableLine: Sendable, Hashable, Identifiable {
    /// The line's id (the database row).
    public var id: UUID
    public var kind: ReceivableKind
    public var dueDate: LocalDate
    /// What is due, 0 or more.
    public var amount: Money
    /// What has been collected against it, net of refunds: 0 to `amount`.
    public var paid: Money

    /// A line of `amount` due on `dueDate`, of which `paid` is collected.
    public init(id: UUID, kind: ReceivableKind, dueDate: LocalDate, amount: Money, paid: Money = .zero) {
        self.id = id
        self.kind = kind
        self.dueDate = dueDate
        self.amount = amount
        self.paid = paid
    }

    /// `amount − paid`, never below 0: what is still to collect.
    public var open: Money { max(.zero, amount - paid) }
}
