import Foundation

/// Why a discount scheme or a quote is refused for a reason outside the scheme's own rules
/// (those are ``DiscountScheme/violations(code:name:kind:paymentMethods:validFrom:validUntil:)`` and ``QuoteError``).
public enum DiscountError: Error, Sendable, Hashable {
    /// The room has no list price yet, so there is nothing to discount.
    case roomNotPriced(roomID: UUID)
}
