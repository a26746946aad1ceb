import Foundation

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// A calendar date without time or zone: PostgreSQL's `date`.
public struct PQDate: Hashable, Comparable, Sendable, CustomStringConvertible, PQEncodable, PQDecodable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date; nil when the day does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let back = civilFromDays(daysFromCivil(year: year, month: month, day: day))
        guard back.month == month, back.day == day else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int { daysFromCivil(year: year, month: month, day: day) }

    public init?(daysSinceEpoch days: Int) {
        let civil = civilFromDays(days)
        self.init(year: civil.year, month: civil.month, day: civil.day)
    }

    public static func < (lhs: PQDate, rhs: PQDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    public static var pqType: PQType { .date }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> PQDate {
        try requireType(type, in: [.date, .text])
        guard let date = PQDate(string(bytes)) else { throw PQDecodingFailure("is not a date in 0001...9999") }
        return date
    }
}

/// `timestamptz`: sent and read as UTC with microseconds (each connection runs with `TimeZone=UTC`, `DateStyle=ISO`).
extension Date: PQEncodable, PQDecodable {
    public static var pqType: PQType { .timestamptz }

    public func pqText() -> String {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        let total = Int64(micros)
        var seconds = total / 1_000_000
        var fraction = total % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var days = Int(seconds / 86_400)
        var secondOfDay = Int(seconds % 86_400)
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let civil = civilFromDays(days)
        // PostgreSQL has no year 0: 1 BC precedes AD 1.
        let year = civil.year > 0 ? pad(civil.year, 4) : pad(1 - civil.year, 4)
        return "\(year)-\(pad(civil.month, 2))-\(pad(civil.day, 2)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(Int(fraction), 6))+00" + (civil.year > 0 ? "" : " BC")
    }

    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Date {
        try requireType(type, in: [.timestamptz, .timestamp])
        // YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]
        func number(_ from: Int, _ count: Int) throws(PQDecodingFailure) -> Int {
            guard from + count <= bytes.count else { throw PQDecodingFailure("is not an ISO timestamp") }
            var value = 0
            for i in from..<(from + count) {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { throw PQDecodingFailure("is not an ISO timestamp") }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " ") else {
            throw PQDecodingFailure("is not an ISO timestamp in 0001...9999")
        }
        let year = try number(0, 4), month = try number(5, 2), day = try number(8, 2)
        let hour = try number(11, 2), minute = try number(14, 2), second = try number(17, 2)
        var index = 19
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else {
                throw PQDecodingFailure("is not an ISO timestamp")
            }
            offset = try number(index + 1, 2) * 3600
            if index + 3 < bytes.count { offset += try number(index + 4, 2) * 60 }
            if index + 6 < bytes.count { offset += try number(index + 7, 2) }
            offset *= sign
        }
        guard PQDate(year: year, month: month, day: day) != nil else { throw PQDecodingFailure("is not a valid date") }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}
