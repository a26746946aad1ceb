import Foundation

/// How the buyer pays the price (DOMAIN.md, "The sale, step by step", step 2). The raw values are
/// the default codes of the group's payment_methods dictionary, which discounts name.
public enum PaymentMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// The whole price at once (after the deposit).
    case fullPayment = "full"
    /// A down payment, then equal instalments every few months.
    case instalments
    /// A down payment, the rest lent by a commercial bank.
    case commercialMortgage = "commercial_mortgage"
    /// A down payment, the rest lent by the housing provident fund.
    case providentFundMortgage = "provident_fund_mortgage"
    /// A down payment, the rest lent partly by the provident fund and partly by a commercial bank.
    case combinedMortgage = "combined"

    /// Whether a loan pays part of the price: the deal then goes through the mortgage steps and the
    /// mortgage registration.
    public var isMortgage: Bool { usesCommercialLoan || usesProvidentFundLoan }

    /// Whether a commercial bank lends part of the price.
    public var usesCommercialLoan: Bool { self == .commercialMortgage || self == .combinedMortgage }

    /// Whether the provident fund lends part of the price.
    public var usesProvidentFundLoan: Bool { self == .providentFundMortgage || self == .combinedMortgage }
}

/// The terms of a payment method, as the client sends them under `terms`. Each field applies to some
/// methods only (``PaymentSchedule/violations(price:deposit:terms:rules:)`` refuses the others).
public struct PaymentTerms: Sendable, Hashable, Codable {
    public var method: PaymentMethod
    /// Instalments only: the down payment as a share of the price in basis points (3000 is 30 %),
    /// deposit included. With a mortgage the down payment is what the loans leave.
    public var downPaymentRatio: Int?
    /// Instalments only: how many instalments follow the down payment.
    public var instalmentCount: Int?
    /// Instalments only: months between instalments; the first falls this many months after subscription.
    public var instalmentIntervalMonths: Int?
    /// Commercial and combined mortgages: the amount the bank lends.
    public var commercialLoan: Money?
    /// Provident-fund and combined mortgages: the amount the provident fund lends.
    public var providentFundLoan: Money?
    /// Days after subscription the down payment (with full payment: the whole rest) is due.
    public var downPaymentDueDays: Int
    /// Mortgages: days after subscription the loans are expected to arrive (their due date, which the
    /// collection forecast uses).
    public var loanDueDays: Int

    /// Terms as given; the defaults: down payment due 7 days, loans 90 days after subscription.
    public init(method: PaymentMethod, downPaymentRatio: Int? = nil, instalmentCount: Int? = nil,
                instalmentIntervalMonths: Int? = nil, commercialLoan: Money? = nil, providentFundLoan: Money? = nil,
                downPaymentDueDays: Int = 7, loanDueDays: Int = 90) {
        self.method = method
        self.downPaymentRatio = downPaymentRatio
        self.instalmentCount = instalmentCount
        self.instalmentIntervalMonths = instalmentIntervalMonths
        self.commercialLoan = commercialLoan
        self.providentFundLoan = providentFundLoan
        self.downPaymentDueDays = downPaymentDueDays
        self.loanDueDays = loanDueDays
    }

    /// Full payment, the rest of the price due `dueDays` after subscription.
    public static func fullPayment(dueDays: Int = 7) -> PaymentTerms {
        PaymentTerms(method: .fullPayment, downPaymentDueDays: dueDays)
    }

    /// A down payment of `downPaymentRatio` basis points of the price, then `count` instalments every
    /// `intervalMonths` months.
    public static func instalments(downPaymentRatio: Int, count: Int, intervalMonths: Int, downPaymentDueDays: Int = 7) -> PaymentTerms {
        PaymentTerms(method: .instalments, downPaymentRatio: downPaymentRatio, instalmentCount: count,
                     instalmentIntervalMonths: intervalMonths, downPaymentDueDays: downPaymentDueDays)
    }

    /// A mortgage of the method's kind with the given loans (nil for a loan the method does not use).
    public static func mortgage(_ method: PaymentMethod, commercialLoan: Money? = nil, providentFundLoan: Money? = nil,
                                downPaymentDueDays: Int = 7, loanDueDays: Int = 90) -> PaymentTerms {
        PaymentTerms(method: method, commercialLoan: commercialLoan, providentFundLoan: providentFundLoan,
                     downPaymentDueDays: downPaymentDueDays, loanDueDays: loanDueDays)
    }
}

/// The project's limits on payment terms (the lending policy of its city), with national defaults.
public struct PaymentRules: Sendable, Hashable {
    /// Least down payment with instalments, basis points of the price (default 30 %).
    public var instalmentsMinimumDownPayment: Int
    /// Least down payment with a commercial mortgage (default 30 %).
    public var commercialMortgageMinimumDownPayment: Int
    /// Least down payment with a provident-fund mortgage (default 20 %).
    public var providentFundMortgageMinimumDownPayment: Int
    /// Least down payment with a combined mortgage (default 20 %, as the provident fund leads it).
    public var combinedMortgageMinimumDownPayment: Int
    /// Most instalments (default 60).
    public var maximumInstalments: Int
    /// Longest interval between instalments, in months (default 12).
    public var maximumIntervalMonths: Int
    /// Latest due date of a down payment or loan, in days after subscription (default 366).
    public var maximumDueDays: Int

    /// Rules; every limit defaults to the usual national figure.
    public init(instalmentsMinimumDownPayment: Int = 3000, commercialMortgageMinimumDownPayment: Int = 3000,
                providentFundMortgageMinimumDownPayment: Int = 2000, combinedMortgageMinimumDownPayment: Int = 2000,
                maximumInstalments: Int = 60, maximumIntervalMonths: Int = 12, maximumDueDays: Int = 366) {
        self.instalmentsMinimumDownPayment = instalmentsMinimumDownPayment
        self.commercialMortgageMinimumDownPayment = commercialMortgageMinimumDownPayment
        self.providentFundMortgageMinimumDownPayment = providentFundMortgageMinimumDownPayment
        self.combinedMortgageMinimumDownPayment = combinedMortgageMinimumDownPayment
        self.maximumInstalments = maximumInstalments
        self.maximumIntervalMonths = maximumIntervalMonths
        self.maximumDueDays = maximumDueDays
    }

    /// The defaults.
    public static let standard = PaymentRules()

    /// The least down payment for `method` in basis points of the price (10,000 for full payment).
    public func minimumDownPayment(for method: PaymentMethod) -> Int {
        switch method {
        case .fullPayment: 10_000
        case .instalments: instalmentsMinimumDownPayment
        case .commercialMortgage: commercialMortgageMinimumDownPayment
        case .providentFundMortgage: providentFundMortgageMinimumDownPayment
        case .combinedMortgage: combinedMortgageMinimumDownPayment
        }
    }
}
