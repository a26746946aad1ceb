import Foundation

/// A calendar month without a day, written `YYYY-MM` (a forecast's bucket, a report's period).
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let year: Int
    /// 1 to 12.
    public let month: Int

    /// The month, or nil outside years 1...9999 and months 1...12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The month `date` falls in.
    public init(_ date: LocalDate) {
        year = date.year
        month = date.month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
              bytes.enumerated().allSatisfy({ $0.offset == 4 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }) else { return nil }
        let digits = bytes.map { Int($0) - Int(UInt8(ascii: "0")) }
        self.init(year: digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3], month: digits[5] * 10 + digits[6])
    }

    /// The first day of the month.
    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1)! }

    /// The month `count` months later (earlier when negative); nil outside years 1...9999.
    public func adding(months count: Int) -> YearMonth? {
        let index = year * 12 + (month - 1) + count
        guard index >= 0 else { return nil }
        return YearMonth(year: index / 12, month: index % 12 + 1)
    }

    /// `2026-11`.
    public var description: String {
        let text = String(year)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text + (month < 10 ? "-0" : "-") + String(month)
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// Decodes `YYYY-MM`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let value = YearMonth(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a month YYYY-MM")
        }
        self = value
    }

    /// Encodes `YYYY-MM`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
