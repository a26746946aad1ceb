import Foundation

/// Exact decimal text ↔ integer conversion for values kept as integer multiples of 10^-scale
/// (money in minor units, areas in hundredths of m², coefficients in millionths).
///
/// The one place that parses and prints the decimal strings the API uses for exact numbers.
public enum FixedPoint {
    /// Parses `-123.45` (optional sign, at most ``maximumWholeDigits(scale:)`` digits, optional
    /// point with at most `scale` fraction digits) into `value × 10^scale`; nil for anything else
    /// (exponents, spaces, too many digits, more fraction digits than the scale holds).
    public static func parse(_ text: String, scale: Int) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() } else if digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= maximumWholeDigits(scale: scale),
              whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        if parts.count == 2 && fraction.isEmpty { return nil }
        guard fraction.count <= scale, fraction.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        fraction += String(repeating: "0", count: scale - fraction.count)
        guard let integer = Int64(whole), let fractional = fraction.isEmpty ? 0 : Int64(fraction) else { return nil }
        let (scaled, overflow) = integer.multipliedReportingOverflow(by: power(scale))
        guard !overflow else { return nil }
        let (sum, overflow2) = scaled.addingReportingOverflow(fractional)
        guard !overflow2 else { return nil }
        return negative ? -sum : sum
    }

    /// The most digits before the point that ``parse(_:scale:)`` takes: whatever the digits, the
    /// value fits an Int64 (16 for money and areas, 12 for coefficients).
    public static func maximumWholeDigits(scale: Int) -> Int { 18 - scale }

    /// Prints `value × 10^-scale` with exactly `scale` fraction digits (`12345, 2` → `123.45`).
    public static func format(_ value: Int64, scale: Int) -> String {
        guard scale > 0 else { return String(value) }
        let magnitude = value.magnitude
        let unit = UInt64(power(scale))
        let fraction = String(magnitude % unit)
        let text = "\(magnitude / unit).\(String(repeating: "0", count: scale - fraction.count))\(fraction)"
        return value < 0 ? "-" + text : text
    }

    /// 10^scale.
    public static func power(_ scale: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<scale { result *= 10 }
        return result
    }

    /// `numerator / denominator` rounded half away from zero (exact integer arithmetic).
    public static func divideRounded(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        precondition(denominator != 0, "division by zero")
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        guard remainder != 0 else { return quotient }
        let awayFromZero = (numerator < 0) != (denominator < 0) ? quotient - 1 : quotient + 1
        return remainder.magnitude * 2 >= denominator.magnitude ? awayFromZero : quotient
    }
}
