import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }

@Suite("Exchange rates")
struct ExchangeRateTests {
    let hkd = CurrencyCode("HKD")!
    var hongKong: ExchangeRate { ExchangeRate(currency: hkd, rate: Coefficient("0.912345")!) }

    @Test func convertsToTheCentHalfAwayFromZero() throws {
        #expect(try hongKong.convert(ForeignAmount("10000", currency: hkd)!) == money("9123.45"))
        #expect(try hongKong.convert(ForeignAmount("1234567.89", currency: hkd)!) == money("1126351.84"))  // 1,126,351.8416...
        #expect(try hongKong.convert(ForeignAmount("0.01", currency: hkd)!) == money("0.01"))              // 0.00912345
        #expect(try hongKong.convert(ForeignAmount("-0.01", currency: hkd)!) == money("-0.01"))
        // Exactly half a cent rounds away from zero: 1 unit at 0.005 is 0.005.
        let half = ExchangeRate(currency: hkd, rate: Coefficient("0.005")!)
        #expect(try half.convert(ForeignAmount("1", currency: hkd)!) == money("0.01"))
        #expect(try half.convert(ForeignAmount("-1", currency: hkd)!) == money("-0.01"))
        #expect(try half.convert(ForeignAmount("0.99", currency: hkd)!) == money("0.00"))   // 0.00495
    }

    @Test func currenciesWithOtherMinorUnits() throws {
        let jpy = CurrencyCode("JPY")!, kwd = CurrencyCode("KWD")!, usd = CurrencyCode("USD")!
        #expect(jpy.minorUnitDigits == 0 && kwd.minorUnitDigits == 3 && usd.minorUnitDigits == 2 && CurrencyCode.cny.minorUnitDigits == 2)
        #expect(ForeignAmount("100.5", currency: jpy) == nil)
        #expect(try ExchangeRate(currency: jpy, rate: Coefficient("0.048123")!).convert(ForeignAmount("1000000", currency: jpy)!)
                == money("48123.00"))
        #expect(try ExchangeRate(currency: kwd, rate: Coefficient("23.456789")!).convert(ForeignAmount("1.005", currency: kwd)!)
                == money("23.57"))   // 23.574072...
        #expect(try ExchangeRate(currency: usd, rate: Coefficient("7.1")!).convert(ForeignAmount("250000", currency: usd)!)
                == money("1775000.00"))
        #expect(ForeignAmount("1.005", currency: kwd)!.description == "1.005 KWD")
    }

    @Test func refusesAnotherCurrencyAndOverflow() {
        #expect(throws: DealInputError.self) { try hongKong.convert(ForeignAmount(currency: CurrencyCode("USD")!, minorUnits: 1)) }
        let huge = ExchangeRate(currency: hkd, rate: Coefficient(millionths: .max))
        #expect(throws: DealInputError([FieldViolation(field: "amount", message: "is too large to convert")])) {
            try huge.convert(ForeignAmount(currency: hkd, minorUnits: .max))
        }
    }

    @Test func currencyCodes() throws {
        for bad in ["", "hkd", "HK", "HKDX", "H1D", "ＨＫＤ", "HK "] { #expect(CurrencyCode(bad) == nil, "\(bad)") }
        #expect(CurrencyCode("USD")?.description == "USD")
        let json = try JSONEncoder().encode([CurrencyCode("EUR")!])
        #expect(String(decoding: json, as: UTF8.self) == #"["EUR"]"#)
        #expect(try JSONDecoder().decode([CurrencyCode].self, from: json) == [CurrencyCode("EUR")!])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CurrencyCode].self, from: Data(#"["eur"]"#.utf8)) }
    }

    @Test func rateValidation() {
        #expect(ExchangeRate.violations(currency: "HKD", rate: Coefficient("0.912345")!).isEmpty)
        #expect(ExchangeRate.violations(currency: "CNY", rate: .one).map(\.field) == ["currency"])
        #expect(ExchangeRate.violations(currency: "CNY", rate: .one, home: CurrencyCode("HKD")!).isEmpty)
        #expect(ExchangeRate.violations(currency: "usd", rate: .zero).map(\.field) == ["currency", "rate"])
        #expect(ExchangeRate.violations(currency: "USD", rate: Coefficient("-7.1")!).map(\.field) == ["rate"])
    }
}
