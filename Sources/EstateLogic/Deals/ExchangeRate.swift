import Foundation

/// An ISO 4217 currency code: three upper-case ASCII letters (`HKD`, `USD`).
public struct CurrencyCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: String

    /// The code, or nil unless `text` is exactly three upper-case ASCII letters.
    public init?(_ text: String) {
        guard text.utf8.count == 3, text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return nil }
        self.code = text
    }

    /// Renminbi, the group's home currency unless configured otherwise.
    public static let cny = CurrencyCode("CNY")!

    /// Digits of the minor unit by ISO 4217: 0 for yen, won, dong, ...; 3 for the Gulf dinars; 4 for
    /// CLF and UYW; 2 for every other code.
    public var minorUnitDigits: Int {
        switch code {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF": 0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND": 3
        case "CLF", "UYW": 4
        default: 2
        }
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let value = CurrencyCode(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a currency code such as \"HKD\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// An exact amount in a foreign currency, in that currency's minor units (cents for HKD and USD, yen for JPY).
public struct ForeignAmount: Sendable, Hashable, CustomStringConvertible {
    public var currency: CurrencyCode
    public var minorUnits: Int64

    /// `minorUnits` of `currency`'s minor unit.
    public init(currency: CurrencyCode, minorUnits: Int64) {
        self.currency = currency
        self.minorUnits = minorUnits
    }

    /// Parses `10000.5` with at most the currency's minor-unit digits (`10000` for JPY); nil otherwise.
    public init?(_ text: String, currency: CurrencyCode) {
        guard let value = FixedPoint.parse(text, scale: currency.minorUnitDigits) else { return nil }
        self.init(currency: currency, minorUnits: value)
    }

    /// `10000.50 HKD`.
    public var description: String { "\(FixedPoint.format(minorUnits, scale: currency.minorUnitDigits)) \(currency)" }
}

/// The rate at which a foreign currency converts to the home currency (CNY): how many home units one
/// unit of the foreign currency is worth, with six exact fraction digits (1 HKD = 0.912345 CNY).
/// Rates are per single unit, so a currency worth less than 0.01 CNY keeps few significant digits.
public struct ExchangeRate: Sendable, Hashable {
    /// The foreign currency.
    public var currency: CurrencyCode
    /// Home units per unit of `currency`, more than 0.
    public var rate: Coefficient

    /// `rate` home units for one `currency`.
    public init(currency: CurrencyCode, rate: Coefficient) {
        self.currency = currency
        self.rate = rate
    }

    /// Every rule a rate as the client sends it breaks; empty when acceptable: `currency` three upper-case
    /// letters and not the home currency, `rate` more than 0.
    public static func violations(currency: String, rate: Coefficient, home: CurrencyCode = .cny) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let code = CurrencyCode(currency) {
            if code == home { result.append(FieldViolation(field: "currency", message: "is the home currency \(home)")) }
        } else {
            result.append(FieldViolation(field: "currency", message: "must be an ISO 4217 code of three upper-case letters"))
        }
        if rate <= .zero { result.append(FieldViolation(field: "rate", message: "must be more than 0")) }
        return result
    }

    /// How old the rate of a payment's day may be: a payment converts at the rate recorded **for its
    /// day, or else the latest recorded before it**, at most this many days earlier (rates are published
    /// on working days: a Sunday payment takes Friday's rate). Older than that, there is no rate of the day.
    public static let maximumAgeDays = 7

    /// Whether a rate recorded for `rateDate` is the rate of `day`: on it, or up to ``maximumAgeDays``
    /// before it (never after: tomorrow's rate is not known today). Of several that qualify, the
    /// latest is the rate of the day.
    public static func applies(rateDate: LocalDate, to day: LocalDate) -> Bool {
        let age = day.daysSinceEpoch - rateDate.daysSinceEpoch
        return age >= 0 && age <= maximumAgeDays
    }

    /// `amount` in home currency: `minor units × rate`, scaled from the currency's minor unit to the
    /// cent and rounded **half away from zero**, once.
    ///
    /// - Throws: ``DealInputError`` naming `currency` (not the rate's currency) or `amount` (too large).
    public func convert(_ amount: ForeignAmount) throws(DealInputError) -> Money {
        guard amount.currency == currency else {
            throw DealInputError([FieldViolation(field: "currency", message: "is \(amount.currency), the rate is for \(currency)")])
        }
        let (product, overflow) = (Int128(amount.minorUnits) * Int128(FixedPoint.power(Money.scale)))
            .multipliedReportingOverflow(by: Int128(rate.millionths))
        let denominator = Int128(FixedPoint.power(currency.minorUnitDigits)) * Int128(Coefficient.denominator)
        guard !overflow, let money = Money(exactly: FixedPoint.divideRounded(product, denominator)) else {
            throw DealInputError([FieldViolation(field: "amount", message: "is too large to convert")])
        }
        return money
    }
}
