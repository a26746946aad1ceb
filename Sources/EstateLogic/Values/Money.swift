import Foundation

/// An exact amount of money in minor units (fen for CNY): never floating point.
///
/// The currency is the group's (CNY unless configured otherwise); amounts of different
/// currencies never meet in one calculation here. JSON shows amounts as decimal strings
/// (`"1234567.89"`) so that no client parses them into a binary float by accident.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Minor units: 1 yuan is 100.
    public var minorUnits: Int64

    /// Digits after the point of the major unit.
    public static let scale = 2
    public static let zero = Money(minorUnits: 0)

    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    /// Parses `1234.5` or `1234.56`; nil for anything else.
    public init?(_ text: String) {
        guard let value = FixedPoint.parse(text, scale: Self.scale) else { return nil }
        self.minorUnits = value
    }

    /// Whole major units (`Money(yuan: 15000)` is 15,000.00).
    public init(yuan: Int64) { self.minorUnits = yuan * 100 }

    public var description: String { FixedPoint.format(minorUnits, scale: Self.scale) }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits - rhs.minorUnits) }
    public static prefix func - (value: Money) -> Money { Money(minorUnits: -value.minorUnits) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Money(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected an amount such as \"1234.56\" (at most 2 decimals)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
