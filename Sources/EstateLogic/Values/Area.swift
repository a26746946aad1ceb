import Foundation

/// An exact floor area in hundredths of a square metre (`89.57` m² is 8957).
///
/// JSON shows areas as decimal strings (`"89.57"`), like money.
public struct Area: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Hundredths of a square metre.
    public var hundredths: Int64

    public static let scale = 2
    public static let zero = Area(hundredths: 0)

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// Parses `89.5` or `89.57`; nil for anything else.
    public init?(_ text: String) {
        guard let value = FixedPoint.parse(text, scale: Self.scale) else { return nil }
        self.hundredths = value
    }

    public var description: String { FixedPoint.format(hundredths, scale: Self.scale) }

    public static func < (lhs: Area, rhs: Area) -> Bool { lhs.hundredths < rhs.hundredths }
    public static func + (lhs: Area, rhs: Area) -> Area { Area(hundredths: lhs.hundredths + rhs.hundredths) }
    public static func - (lhs: Area, rhs: Area) -> Area { Area(hundredths: lhs.hundredths - rhs.hundredths) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Area(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected an area in m² such as \"89.57\" (at most 2 decimals)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
