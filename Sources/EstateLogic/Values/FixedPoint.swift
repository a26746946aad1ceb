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
        parse(utf8: text.utf8, scale: scale)
    }

    /// ``parse(_:scale:)`` of UTF-8 bytes (a database value, without making a `String` first).
    public static func parse<Bytes: Sequence<UInt8>>(utf8 bytes: Bytes, scale: Int) -> Int64? {
        var value: Int64 = 0
        var negative = false, first = true, seenPoint = false
        var wholeDigits = 0, fractionDigits = 0
        let maximumWhole = maximumWholeDigits(scale: scale)
        for byte in bytes {
            defer { first = false }
            if first && (byte == 0x2D || byte == 0x2B) {
                negative = byte == 0x2D
                continue
            }
            if byte == 0x2E {
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= scale else { return nil }
            } else {
                wholeDigits += 1
                guard wholeDigits <= maximumWhole else { return nil }
            }
            value = value * 10 + Int64(byte - 0x30)   // at most 18 digits: never overflows
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        value *= power(scale - fractionDigits)
        return negative ? -value : value
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
