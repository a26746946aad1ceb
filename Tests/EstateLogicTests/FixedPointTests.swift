import EstateLogic
import Testing

@Suite("Exact decimal values")
struct FixedPointTests {
    @Test(arguments: [("1234.5", 123_450), ("-0.01", -1), ("+7", 700), ("0.10", 10), ("9999999999999999.99", 999_999_999_999_999_999)])
    func parsesMoney(text: String, minor: Int64) {
        #expect(Money(text)?.minorUnits == minor)
    }

    @Test(arguments: ["", "1.", ".5", "1.234", "1e3", " 1", "1,5", "--1", "12345678901234567", "0x10", "１２"])
    func refusesAnythingElse(text: String) {
        #expect(Money(text) == nil)
        #expect(FixedPoint.parse(text, scale: 2) == nil)
    }

    @Test func formatsWithExactlyTheScale() {
        #expect(Money(minorUnits: 5).description == "0.05")
        #expect(Money(minorUnits: -123_456).description == "-1234.56")
        #expect(Area(hundredths: 8950).description == "89.50")
        #expect(FixedPoint.format(Int64.min + 1, scale: 2) == "-92233720368547758.07")
        #expect(Coefficient("1.025")?.description == "1.025")
        #expect(Coefficient("1234567890123.5") == nil, "13 whole digits are more than a coefficient takes")
    }

    @Test func roundsHalfAwayFromZero() {
        #expect(FixedPoint.divideRounded(5, 10) == 1)
        #expect(FixedPoint.divideRounded(-5, 10) == -1)
        #expect(FixedPoint.divideRounded(4, 10) == 0)
        #expect(FixedPoint.divideRounded(-15, 10) == -2)
        #expect(FixedPoint.divideRounded(15, -10) == -2)
        #expect(FixedPoint.divideRounded(14, 7) == 2)
    }
}
