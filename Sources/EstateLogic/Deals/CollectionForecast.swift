import Foundation

/// What is still open on receivable lines of one kind falling due in one month (a database
/// aggregate the forecast is built from).
public struct OpenAmount: Sendable, Hashable {
    public var kind: ReceivableKind
    public var month: YearMonth
    /// What is open (amount − paid), 0 or more.
    public var open: Money

    public init(kind: ReceivableKind, month: YearMonth, open: Money) {
        self.kind = kind
        self.month = month
        self.open = open
    }
}

/// Open money of one month (or of the overdue months before the forecast, or the months after it),
/// by who pays it.
public struct ForecastAmounts: Sendable, Hashable {
    /// Due from the buyers (deposits, down payments, instalments, settlements, fees for others).
    public var buyers: Money = .zero
    /// Expected from commercial banks (mortgage funds).
    public var commercialLenders: Money = .zero
    /// Expected from the housing provident fund.
    public var providentFund: Money = .zero

    public init(buyers: Money = .zero, commercialLenders: Money = .zero, providentFund: Money = .zero) {
        self.buyers = buyers
        self.commercialLenders = commercialLenders
        self.providentFund = providentFund
    }

    /// The expected mortgage arrivals: both lenders.
    public var mortgageArrivals: Money { commercialLenders + providentFund }
    public var total: Money { buyers + mortgageArrivals }

    mutating func add(_ open: Money, from payer: ReceivablePayer) {
        switch payer {
        case .buyer: buyers = buyers + open
        case .commercialLender: commercialLenders = commercialLenders + open
        case .providentFund: providentFund = providentFund + open
        }
    }
}

/// The forecast of collections by month: what is open on the receivables, in the month each line
/// falls due, the buyers' payments apart from the expected mortgage arrivals (a loan line is expected
/// when it falls due: the loan due date of the schedule, or as the mortgage step moves it).
/// What fell due before the first month is overdue and shown apart (it is in the arrears list), as is
/// what falls due after the last month.
public struct CollectionForecast: Sendable, Hashable {
    public struct Month: Sendable, Hashable {
        public var month: YearMonth
        public var amounts: ForecastAmounts
    }

    public var from: YearMonth
    /// Open on lines due before `from`.
    public var overdue: ForecastAmounts
    /// One entry per month from `from`, in order, months without open money included.
    public var months: [Month]
    /// Open on lines due after the last month.
    public var later: ForecastAmounts

    /// The forecast of `count` months (1 or more) from `from` over the open amounts given.
    public static func make(from: YearMonth, months count: Int, open: [OpenAmount]) -> CollectionForecast {
        let months = (0..<max(1, count)).compactMap { from.adding(months: $0) }
        var buckets = Dictionary(uniqueKeysWithValues: months.map { ($0, ForecastAmounts()) })
        var overdue = ForecastAmounts(), later = ForecastAmounts()
        for amount in open where amount.open > .zero {
            if amount.month < from {
                overdue.add(amount.open, from: amount.kind.payer)
            } else if buckets[amount.month] != nil {
                buckets[amount.month]!.add(amount.open, from: amount.kind.payer)
            } else {
                later.add(amount.open, from: amount.kind.payer)
            }
        }
        return CollectionForecast(from: from, overdue: overdue, months: months.map { Month(month: $0, amounts: buckets[$0]!) }, later: later)
    }
}

extension ReceivableLine {
    /// Days the line is overdue on `asOf`: from its due date to `asOf` when something is still open and
    /// it fell due before `asOf`; nil otherwise (a line due today is not yet overdue).
    public func daysOverdue(asOf: LocalDate) -> Int? {
        guard open > .zero, dueDate < asOf else { return nil }
        return asOf.daysSinceEpoch - dueDate.daysSinceEpoch
    }
}
