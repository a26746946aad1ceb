import EstateLogic
import PQ

// Money and areas travel as `numeric` with two decimals: read straight from the text when it has at
// most two (the columns' scale), else through PQDecimal, where more significant digits are an error,
// never a silent rounding.

extension Money: PQEncodable, PQDecodable {
    public static var pqType: PQType { .numeric }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Money {
        if let minor = FixedPoint.parse(utf8: bytes, scale: Money.scale) { return Money(minorUnits: minor) }
        return Money(minorUnits: try PQDecimal.pqDecode(bytes, type: type).minorUnits(scale: Money.scale))
    }
}

extension Area: PQEncodable, PQDecodable {
    public static var pqType: PQType { .numeric }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Area {
        if let hundredths = FixedPoint.parse(utf8: bytes, scale: Area.scale) { return Area(hundredths: hundredths) }
        return Area(hundredths: try PQDecimal.pqDecode(bytes, type: type).minorUnits(scale: Area.scale))
    }
}

extension LocalDate: PQEncodable, PQDecodable {
    public static var pqType: PQType { .date }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> LocalDate {
        guard let date = LocalDate(String(decoding: bytes, as: UTF8.self)) else { throw PQDecodingFailure("is not a date YYYY-MM-DD") }
        return date
    }
}
