import Foundation

/// An exact multiplicative factor with six fraction digits (`1.025` is 1,025,000 millionths):
/// pricing coefficients, floor-price ratios. Never floating point.
///
/// JSON shows coefficients as decimal strings (`"1.025"`), like money.
public struct Coefficient: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Millionths: `1.0` is 1,000,000.
    public var millionths: Int64

    /// Digits after the point.
    public static let scale = 6
    /// 10^6, the number of millionths in 1.
    public static let denominator: Int64 = 1_000_000
    /// The neutral factor 1.
    public static let one = Coefficient(millionths: denominator)
    /// The factor 0.
    public static let zero = Coefficient(millionths: 0)

    /// A coefficient of `millionths` / 1,000,000.
    public init(millionths: Int64) { self.millionths = millionths }

    /// Parses `1`, `1.025` or `-0.000001` (at most six fraction digits); nil for anything else.
    public init?(_ text: String) {
        guard let value = FixedPoint.parse(text, scale: Self.scale) else { return nil }
        self.millionths = value
    }

    /// The shortest exact decimal form with at least one fraction digit (`1.0`, `1.025`, `0.000001`).
    public var description: String {
        var text = FixedPoint.format(millionths, scale: Self.scale)
        while text.hasSuffix("0"), !text.hasSuffix(".0") { text.removeLast() }
        return text
    }

    public static func < (lhs: Coefficient, rhs: Coefficient) -> Bool { lhs.millionths < rhs.millionths }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Coefficient(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a coefficient such as \"1.025\" (at most 6 decimals)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
