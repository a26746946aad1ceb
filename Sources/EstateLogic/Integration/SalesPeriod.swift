import Foundation

/// The months a cost-system export covers (`period=YYYY-MM`, or `YYYY-MM/YYYY-MM` for a range of
/// whole months, both ends included).
public struct SalesPeriod: Sendable, Hashable, CustomStringConvertible {
    public let first: YearMonth
    public let last: YearMonth

    /// The most months one export covers.
    public static let maximumMonths = 120

    /// From `first` to `last` inclusive; nil when `last` is before `first` or the range is longer
    /// than ``maximumMonths``.
    public init?(first: YearMonth, last: YearMonth) {
        guard first <= last, last.index - first.index < Self.maximumMonths else { return nil }
        self.first = first
        self.last = last
    }

    /// Parses `YYYY-MM` (one month) or `YYYY-MM/YYYY-MM` (a range).
    public init?(_ text: String) {
        guard let bounds = Self.bounds(text) else { return nil }
        self.init(first: bounds.first, last: bounds.last)
    }

    /// The months `YYYY-MM` or `YYYY-MM/YYYY-MM` names, whether or not they make a period (nil
    /// when the text has another shape).
    public static func bounds(_ text: String) -> (first: YearMonth, last: YearMonth)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let first = YearMonth(String(parts[0])),
              let last = parts.count == 2 ? YearMonth(String(parts[1])) : first else { return nil }
        return (first, last)
    }

    /// The first day of the first month.
    public var startDay: LocalDate { first.firstDay }

    /// The last day of the last month.
    public var endDay: LocalDate {
        LocalDate(year: last.year, month: last.month, day: LocalDate.days(inMonth: last.month, year: last.year))!
    }

    public var description: String { first == last ? first.description : "\(first)/\(last)" }
}

extension YearMonth {
    /// The month's place in a count of months from January of year 0 (`year * 12 + month - 1`),
    /// the key a month sorts by.
    public var index: Int { year * 12 + month - 1 }

    /// The month of ``index`` `index`; nil outside years 1...9999.
    public init?(index: Int) {
        guard index >= 0 else { return nil }
        self.init(year: index / 12, month: index % 12 + 1)
    }
}

/// Deals, area and revenue: one line of the cost system's figures.
public struct SalesFigures: Sendable, Hashable {
    public var deals: Int
    public var area: Area
    public var revenue: Money

    public static let zero = SalesFigures(deals: 0, area: .zero, revenue: .zero)

    public init(deals: Int, area: Area, revenue: Money) {
        self.deals = deals
        self.area = area
        self.revenue = revenue
    }

    public static func - (lhs: SalesFigures, rhs: SalesFigures) -> SalesFigures {
        SalesFigures(deals: lhs.deals - rhs.deals, area: lhs.area - rhs.area, revenue: lhs.revenue - rhs.revenue)
    }
}

/// What a building sold in one month, for the cost system: the deals whose purchase contract was
/// signed in the month, less the contracted deals that ended (were terminated) in the month. A
/// termination counts in the month it happened, never in the month of its contract, so a closed
/// month's figures only change when a contracted price changes; a month can sell less than nothing.
public struct BuildingSales: Sendable, Hashable {
    public var contracted: SalesFigures
    public var terminated: SalesFigures

    public init(contracted: SalesFigures, terminated: SalesFigures) {
        self.contracted = contracted
        self.terminated = terminated
    }

    /// Contracted less terminated.
    public var sold: SalesFigures { contracted - terminated }
}
