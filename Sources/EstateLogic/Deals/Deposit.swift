import Foundation

/// The legal kind of money a buyer puts down before the contract (DOMAIN.md, "The sale, step by step").
public enum DepositKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 定金, an earnest: forfeited when the buyer walks away for the buyer's own reasons, returned
    /// double when the developer does (Civil Code art. 587); by law at most 20 % of the price (art. 586).
    case earnest
    /// Intent money (诚意金), paid to reserve a room: refundable in full whatever happens.
    case intent

    /// Whether the buyer loses it by defaulting.
    public var isForfeitable: Bool { self == .earnest }
}

/// A deposit agreed with the buyer: its kind and amount.
public struct Deposit: Sendable, Hashable {
    public var kind: DepositKind
    public var amount: Money

    /// A deposit of `amount` of `kind`.
    public init(kind: DepositKind, amount: Money) {
        self.kind = kind
        self.amount = amount
    }

    /// The legal ceiling of an earnest: 20 % of the price, in basis points.
    public static let maximumEarnestBasisPoints = 2000

    /// The largest earnest allowed for `price`: 20 % of it, rounded **down** to the cent so that it
    /// never exceeds the legal share.
    public static func maximumEarnest(price: Money) -> Money {
        Money(minorUnits: price.minorUnits * Int64(maximumEarnestBasisPoints) / 10_000)
    }

    /// Every rule the deposit breaks against the agreed `price` (nil while no price is agreed, as at a
    /// reservation); empty when acceptable:
    /// - `deposit.amount`: more than 0; not above the price; an earnest at most 20 % of the price
    ///   (anything above is refused rather than split into an earnest and an advance payment);
    /// - `deposit.kind`: an earnest needs the agreed price (nil `price`).
    public func violations(price: Money?) -> [FieldViolation] {
        if amount <= .zero { return [FieldViolation(field: "deposit.amount", message: "must be more than 0")] }
        guard let price else {
            return kind == .earnest
                ? [FieldViolation(field: "deposit.kind", message: "an earnest needs an agreed price (it may be at most 20 % of it)")]
                : []
        }
        if amount > price { return [FieldViolation(field: "deposit.amount", message: "must not exceed the price of \(price)")] }
        if kind == .earnest && Int128(amount.minorUnits) * 10_000 > Int128(price.minorUnits) * Int128(Self.maximumEarnestBasisPoints) {
            return [FieldViolation(field: "deposit.amount",
                                   message: "an earnest may be at most 20 % of the price: \(Self.maximumEarnest(price: price))")]
        }
        return []
    }
}
