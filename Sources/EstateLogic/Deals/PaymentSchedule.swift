import Foundation

/// One line of a payment schedule: a receivable to create.
public struct ScheduleLine: Sendable, Hashable {
    public var kind: ReceivableKind
    public var dueDate: LocalDate
    /// More than 0.
    public var amount: Money

    /// A line of `amount` of `kind` due on `dueDate`.
    public init(kind: ReceivableKind, dueDate: LocalDate, amount: Money) {
        self.kind = kind
        self.dueDate = dueDate
        self.amount = amount
    }
}

/// The payment schedule of a deal: the receivables its price is paid through (DOMAIN.md, "The sale,
/// step by step", step 2), generated from the payment method's terms at subscription.
///
/// The lines, in this order (a line that would be 0 is left out):
/// 1. `deposit`: the agreed deposit, due on the subscription date; it counts towards the down payment;
/// 2. `downPayment`, due ``PaymentTerms/downPaymentDueDays`` after subscription: with full payment the
///    whole rest of the price; with instalments `price × downPaymentRatio`, rounded half away from zero
///    to the cent, less the deposit; with a mortgage what the loans leave of the price, less the deposit;
/// 3. instalments: the rest of the price in `instalmentCount` lines, the k-th due k × interval months
///    after subscription (on the same day of the month, or the month's last day when it is shorter);
///    each is the rest divided by the count, rounded down to the cent, and **the last instalment takes
///    the rounding remainder**;
/// 4. loans, due ``PaymentTerms/loanDueDays`` after subscription: commercial first, then provident fund.
///
/// The amounts always add up exactly to the price.
public struct PaymentSchedule: Sendable, Hashable {
    public var method: PaymentMethod
    /// The final price the lines add up to.
    public var price: Money
    public var lines: [ScheduleLine]

    /// A schedule as generated (``generate(price:deposit:subscriptionDate:terms:rules:)`` makes them).
    public init(method: PaymentMethod, price: Money, lines: [ScheduleLine]) {
        self.method = method
        self.price = price
        self.lines = lines
    }

    /// Every rule `terms` break for a deal at `price` with `deposit` agreed; empty when acceptable:
    /// - `price`: more than 0; `deposit`: 0 or more, not above the price nor (instalments, mortgages)
    ///   the down payment;
    /// - `terms.downPaymentDueDays`, `terms.loanDueDays`: 0 to ``PaymentRules/maximumDueDays``;
    /// - `terms.downPaymentRatio` (instalments, required): the method's minimum to 9,999 basis points;
    /// - `terms.instalmentCount` (instalments, required): 1 to ``PaymentRules/maximumInstalments``, and
    ///   no more than the cents left to pay; `terms.instalmentIntervalMonths` (instalments, required):
    ///   1 to ``PaymentRules/maximumIntervalMonths``;
    /// - `terms.commercialLoan`, `terms.providentFundLoan`: required, more than 0, for the methods that
    ///   use them; the loans together leave at least the method's minimum down payment and at least the
    ///   deposit (reported on `terms.commercialLoan`, or `terms.providentFundLoan` for a provident-fund
    ///   mortgage);
    /// - a field the method does not use must be absent (`terms.<field>`: "is not used by ...").
    public static func violations(price: Money, deposit: Money, terms: PaymentTerms,
                                  rules: PaymentRules = .standard) -> [FieldViolation] {
        var result: [FieldViolation] = []
        func add(_ field: String, _ message: String) { result.append(FieldViolation(field: field, message: message)) }
        if price <= .zero { add("price", "must be more than 0") }
        if deposit < .zero { add("deposit", "must not be negative") }
        else if deposit > price { add("deposit", "must not exceed the price") }
        for (field, days) in [("terms.downPaymentDueDays", terms.downPaymentDueDays), ("terms.loanDueDays", terms.loanDueDays)]
        where !(0...rules.maximumDueDays).contains(days) {
            add(field, "must be between 0 and \(rules.maximumDueDays) days")
        }
        let method = terms.method
        let isInstalments = method == .instalments
        let unused = [("downPaymentRatio", terms.downPaymentRatio != nil && !isInstalments),
                      ("instalmentCount", terms.instalmentCount != nil && !isInstalments),
                      ("instalmentIntervalMonths", terms.instalmentIntervalMonths != nil && !isInstalments),
                      ("commercialLoan", terms.commercialLoan != nil && !method.usesCommercialLoan),
                      ("providentFundLoan", terms.providentFundLoan != nil && !method.usesProvidentFundLoan)]
        for (field, isUnused) in unused where isUnused { add("terms.\(field)", "is not used by \(method.rawValue)") }
        let minimum = rules.minimumDownPayment(for: method)
        guard price > .zero, deposit >= .zero else { return result }

        if isInstalments {
            if let ratio = terms.downPaymentRatio {
                if !(minimum...9_999).contains(ratio) {
                    add("terms.downPaymentRatio", "must be between \(minimum) and 9999 basis points of the price")
                } else if deposit > downPayment(price: price, ratio: ratio) {
                    add("deposit", "must not exceed the down payment of \(downPayment(price: price, ratio: ratio))")
                } else if let count = terms.instalmentCount, count > price.minorUnits - downPayment(price: price, ratio: ratio).minorUnits {
                    add("terms.instalmentCount", "leaves an instalment of less than 0.01")
                }
            } else {
                add("terms.downPaymentRatio", "is required for instalments")
            }
            if let count = terms.instalmentCount {
                if !(1...rules.maximumInstalments).contains(count) {
                    add("terms.instalmentCount", "must be between 1 and \(rules.maximumInstalments)")
                }
            } else {
                add("terms.instalmentCount", "is required for instalments")
            }
            if let months = terms.instalmentIntervalMonths {
                if !(1...rules.maximumIntervalMonths).contains(months) {
                    add("terms.instalmentIntervalMonths", "must be between 1 and \(rules.maximumIntervalMonths) months")
                }
            } else {
                add("terms.instalmentIntervalMonths", "is required for instalments")
            }
        }

        if method.isMortgage {
            var loans = Int128(0), loansAreValid = true
            for (field, loan, used) in [("commercialLoan", terms.commercialLoan, method.usesCommercialLoan),
                                        ("providentFundLoan", terms.providentFundLoan, method.usesProvidentFundLoan)] where used {
                if let loan, loan > .zero {
                    loans += Int128(loan.minorUnits)
                } else {
                    loansAreValid = false
                    add("terms.\(field)", loan == nil ? "is required for \(method.rawValue)" : "must be more than 0")
                }
            }
            let field = method == .providentFundMortgage ? "terms.providentFundLoan" : "terms.commercialLoan"
            let left = Int128(price.minorUnits) - loans
            if loansAreValid {
                if left * 10_000 < Int128(minimum) * Int128(price.minorUnits) {
                    add(field, "leaves a down payment below the minimum of \(minimum) basis points of the price")
                } else if left < Int128(deposit.minorUnits) {
                    add(field, "leaves a down payment below the deposit of \(deposit)")
                }
            }
        }
        return result
    }

    /// The schedule for `terms` at `price` with `deposit` agreed, subscribed on `subscriptionDate`
    /// (the order of the lines and the rounding: see the type's documentation).
    ///
    /// - Throws: ``DealInputError`` with ``violations(price:deposit:terms:rules:)``, or naming the days
    ///   or months field whose due date would fall after the year 9999.
    public static func generate(price: Money, deposit: Money, subscriptionDate: LocalDate, terms: PaymentTerms,
                                rules: PaymentRules = .standard) throws(DealInputError) -> PaymentSchedule {
        try DealInputError.check(violations(price: price, deposit: deposit, terms: terms, rules: rules))
        var lines: [ScheduleLine] = []
        func line(_ kind: ReceivableKind, _ date: LocalDate?, _ amount: Money, field: String) throws(DealInputError) {
            guard let date else { throw DealInputError([FieldViolation(field: field, message: "gives a due date after 9999-12-31")]) }
            if amount > .zero { lines.append(ScheduleLine(kind: kind, dueDate: date, amount: amount)) }
        }
        try line(.deposit, subscriptionDate, deposit, field: "subscriptionDate")
        let downPaymentDate = subscriptionDate.adding(days: terms.downPaymentDueDays)
        switch terms.method {
        case .fullPayment:
            try line(.downPayment, downPaymentDate, price - deposit, field: "terms.downPaymentDueDays")
        case .instalments:
            let downPayment = downPayment(price: price, ratio: terms.downPaymentRatio!)
            try line(.downPayment, downPaymentDate, downPayment - deposit, field: "terms.downPaymentDueDays")
            let count = terms.instalmentCount!, interval = terms.instalmentIntervalMonths!
            let rest = (price - downPayment).minorUnits
            let each = rest / Int64(count)
            for index in 1...count {
                let amount = index == count ? rest - each * Int64(count - 1) : each
                try line(.instalment, subscriptionDate.adding(months: index * interval), Money(minorUnits: amount),
                         field: "terms.instalmentIntervalMonths")
            }
        case .commercialMortgage, .providentFundMortgage, .combinedMortgage:
            let commercial = terms.commercialLoan ?? .zero, providentFund = terms.providentFundLoan ?? .zero
            try line(.downPayment, downPaymentDate, price - commercial - providentFund - deposit, field: "terms.downPaymentDueDays")
            let loanDate = subscriptionDate.adding(days: terms.loanDueDays)
            try line(.commercialLoan, loanDate, commercial, field: "terms.loanDueDays")
            try line(.providentFundLoan, loanDate, providentFund, field: "terms.loanDueDays")
        }
        return PaymentSchedule(method: terms.method, price: price, lines: lines)
    }

    /// `price × ratio ÷ 10,000`, rounded half away from zero to the cent.
    static func downPayment(price: Money, ratio: Int) -> Money {
        Money(minorUnits: Int64(FixedPoint.divideRounded(Int128(price.minorUnits) * Int128(ratio), 10_000)))
    }
}

extension LocalDate {
    /// The same day `months` months later (0 or more), or the last day of that month when it is
    /// shorter (01-31 + 1 month is 02-28 or 02-29); nil after the year 9999.
    func adding(months: Int) -> LocalDate? {
        let index = (year * 12 + month - 1).addingReportingOverflow(months)
        guard !index.overflow, index.partialValue >= 0 else { return nil }
        let newYear = index.partialValue / 12, newMonth = index.partialValue % 12 + 1
        guard (1...9999).contains(newYear) else { return nil }
        return LocalDate(year: newYear, month: newMonth, day: min(day, LocalDate.days(inMonth: newMonth, year: newYear)))
    }
}
