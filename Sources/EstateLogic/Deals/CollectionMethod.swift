import Foundation

/// How money changes hands at the cashier's desk: a collection is received, and a refund paid out,
/// in cash, by card or by bank transfer.
public enum CollectionMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case cash
    case card
    case transfer
}

/// The bounds a single amount of money is kept within (the database keeps money as `numeric(14,2)`).
public enum MoneyLimits {
    /// The largest amount one collection, refund, receipt or invoice may be: 9,999,999,999.99.
    public static let maximumAmount = Money(minorUnits: 999_999_999_999)
    /// The largest foreign amount of one payment, in the currency's major units: 9,999,999,999.
    public static let maximumForeignMajorUnits: Int64 = 9_999_999_999
    /// The largest exchange rate accepted (home units per foreign unit).
    public static let maximumRate = Coefficient(millionths: 1_000_000 * 1_000_000)

    /// The violation of an amount a client sends as `field`, if any: more than 0, at most ``maximumAmount``.
    public static func violations(_ amount: Money, field: String) -> [FieldViolation] {
        if amount <= .zero { return [FieldViolation(field: field, message: "must be more than 0")] }
        if amount > maximumAmount { return [FieldViolation(field: field, message: "must be at most \(maximumAmount)")] }
        return []
    }
}
