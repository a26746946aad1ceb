import EstateLogic
import PQ

// Money and areas travel as `numeric` with two decimals; reading one with more digits is an error,
// never a silent rounding.

extension Money: PQEncodable, PQDecodable {
    public static var pqType: PQType { .numeric }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Money {
        Money(minorUnits: try PQDecimal.pqDecode(bytes, type: type).minorUnits(scale: Money.scale))
    }
}

extension Area: PQEncodable, PQDecodable {
    public static var pqType: PQType { .numeric }
    public func pqText() -> String { description }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Area {
        Area(hundredths: try PQDecimal.pqDecode(bytes, type: type).minorUnits(scale: Area.scale))
    }
}
