/// An exact decimal number: PostgreSQL's `numeric`, as a significand and a count of fraction digits.
///
/// `12.30` is `significand 1230, scale 2`. Up to 38 significant digits; never floating point.
/// Equality and ordering compare values, so `1.5 == 1.50`.
public struct PQDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, PQEncodable, PQDecodable {
    public let significand: Int128
    public let scale: Int

    public init(significand: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= 38, "PQDecimal scale must be 0...38")
        self.significand = significand
        self.scale = scale
    }

    /// An integer number of minor units, e.g. cents with `scale: 2`.
    public init(minorUnits: Int64, scale: Int) {
        self.init(significand: Int128(minorUnits), scale: scale)
    }

    /// Parses `-123.45`; nil for anything else (NaN, infinities, exponents, more than 38 digits).
    public init?(_ text: String) {
        var significand: Int128 = 0
        var scale = 0
        var seenPoint = false
        var seenDigit = false
        var negative = false
        for (offset, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where offset == 0: negative = true
            case UInt8(ascii: "+") where offset == 0: break
            case UInt8(ascii: ".") where !seenPoint: seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (times, o1) = significand.multipliedReportingOverflow(by: 10)
                let (next, o2) = times.addingReportingOverflow(Int128(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                significand = next
                seenDigit = true
                if seenPoint { scale += 1 }
            default: return nil
            }
        }
        guard seenDigit, scale <= 38 else { return nil }
        self.init(significand: negative ? -significand : significand, scale: scale)
    }

    static func power(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// The value in minor units of the given scale; throws if that would lose digits or overflow.
    public func minorUnits(scale target: Int) throws(PQDecodingFailure) -> Int64 {
        let value: Int128
        if target >= scale {
            let (scaled, overflow) = significand.multipliedReportingOverflow(by: Self.power(target - scale))
            guard !overflow else { throw PQDecodingFailure("is out of range") }
            value = scaled
        } else {
            let divisor = Self.power(scale - target)
            guard significand % divisor == 0 else {
                throw PQDecodingFailure("has more than \(target) fraction digits")
            }
            value = significand / divisor
        }
        guard let exact = Int64(exactly: value) else { throw PQDecodingFailure("is out of range") }
        return exact
    }

    /// Both values brought to the larger scale, or nil when that overflows.
    private static func aligned(_ lhs: PQDecimal, _ rhs: PQDecimal) -> (Int128, Int128)? {
        let scale = max(lhs.scale, rhs.scale)
        let (l, o1) = lhs.significand.multipliedReportingOverflow(by: power(scale - lhs.scale))
        let (r, o2) = rhs.significand.multipliedReportingOverflow(by: power(scale - rhs.scale))
        return o1 || o2 ? nil : (l, r)
    }

    public static func == (lhs: PQDecimal, rhs: PQDecimal) -> Bool {
        guard let (l, r) = aligned(lhs, rhs) else { return false }
        return l == r
    }

    public static func < (lhs: PQDecimal, rhs: PQDecimal) -> Bool {
        guard let (l, r) = aligned(lhs, rhs) else { return lhs.significand < rhs.significand }
        return l < r
    }

    public func hash(into hasher: inout Hasher) {
        // Hash the value with trailing fraction zeros removed, consistent with ==.
        var significand = self.significand
        var scale = self.scale
        while scale > 0, significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        hasher.combine(significand)
        hasher.combine(scale)
    }

    public var description: String {
        let magnitude = significand.magnitude
        var digits = String(magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return significand < 0 ? "-" + digits : digits
    }

    public static var pqType: PQType { .numeric }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> PQDecimal {
        try requireType(type, in: [.numeric, .int2, .int4, .int8, .text])
        guard let value = PQDecimal(string(bytes)) else {
            throw PQDecodingFailure("is not a finite decimal of at most 38 digits")
        }
        return value
    }
}
