import Foundation

/// The price the area difference is settled at: the contract's total price for the contracted area
/// (preferred) or its unit price per m².
public enum ContractPrice: Sendable, Hashable {
    /// The contract's total price. A difference is settled at `total × difference ÷ contracted area`,
    /// computed exactly before the one rounding, so that no rounded unit price ever enters the sum.
    case total(Money)
    /// The contract's unit price per m² (when the contract states one and settles at it).
    case perSquareMetre(Money)
}

/// The settlement of the difference between a pre-sold room's contracted area and its surveyed
/// actual area (DOMAIN.md, "The sale, step by step", step 5; the national rule for pre-sold housing).
///
/// With `d = actual − contracted` and the band `b = 3 %` of the contracted area:
/// - `|d| ≤ b`: the whole difference is settled at the contract price: the buyer pays for more
///   area, the developer refunds less area;
/// - `d > b`: the buyer pays for `b` only; the excess beyond 3 % is free (``beyondBand`` is 0);
/// - `d < −b`: the developer refunds `b` at the contract price (``withinBand``) and the shortfall
///   beyond 3 % at **double** the price (``beyondBand``);
/// - `|d| > b` (strictly): the buyer may cancel the purchase (``buyerMayCancel``).
///
/// Rounding: everything is exact integer arithmetic (Int128) on minor units and hundredths of m²;
/// each of the two parts is rounded **once** to the cent, half away from zero, and ``amount`` is the
/// sum of the two rounded parts. With ``ContractPrice/total(_:)`` a part is
/// `total × area part ÷ contracted area` (the unit price is never rounded first); with
/// ``ContractPrice/perSquareMetre(_:)`` it is `unit price × area part`. The band edge `3 % × contracted
/// area` may fall between two hundredths of m² (3 % of 89.57 m² is 2.6871 m²): it is kept exact too.
public struct AreaSettlement: Sendable, Hashable {
    /// The area the contract was priced on.
    public var contractedArea: Area
    /// The surveyed actual area.
    public var actualArea: Area
    /// `actualArea − contractedArea`: positive when the room came out larger.
    public var difference: Area
    /// `difference ÷ contractedArea` (`0.05` for +5 %), rounded half away from zero to the millionth:
    /// for display; the band test itself is exact.
    public var differenceRatio: Coefficient
    /// The part of the difference inside the band, at the contract price: positive, the buyer pays;
    /// negative, the developer refunds.
    public var withinBand: Money
    /// The part beyond the band: 0 for a larger room (the excess is free); for a smaller room the
    /// shortfall beyond the band at double the contract price, negative (refunded).
    public var beyondBand: Money
    /// `withinBand + beyondBand`: what the buyer pays (positive) or is refunded (negative); it becomes
    /// an `areaSettlement` receivable or a refund.
    public var amount: Money
    /// The difference is strictly beyond the band on either side: the buyer may cancel the purchase.
    public var buyerMayCancel: Bool

    /// The band of the national rule, in basis points of the contracted area: 3 %.
    public static let standardBandBasisPoints = 300

    /// The settlement of `contractedArea` against `actualArea` at `price`.
    ///
    /// - Parameter bandBasisPoints: the band in basis points of the contracted area (300 is ±3 %, the
    ///   rule when the contract says nothing else), 0 to 10,000.
    /// - Throws: ``DealInputError`` naming `contractedArea` or `actualArea` (more than 0 and at most a
    ///   room's ``RoomAttributes/maximumArea``; `actualArea` also when the settlement is too large to
    ///   hold), `price` (not negative), `bandBasisPoints`.
    public static func compute(contractedArea: Area, actualArea: Area, price: ContractPrice,
                               bandBasisPoints: Int = standardBandBasisPoints) throws(DealInputError) -> AreaSettlement {
        var violations: [FieldViolation] = []
        for (field, area) in [("contractedArea", contractedArea), ("actualArea", actualArea)]
        where area <= .zero || area > RoomAttributes.maximumArea {
            violations.append(FieldViolation(field: field, message: "must be more than 0 and at most \(RoomAttributes.maximumArea)"))
        }
        let (rateNumerator, rateDenominator): (Int128, Int128)   // minor units per hundredth of m²
        switch price {
        case .total(let total):
            (rateNumerator, rateDenominator) = (Int128(total.minorUnits), Int128(max(contractedArea.hundredths, 1)))
            if total < .zero { violations.append(FieldViolation(field: "price", message: "must not be negative")) }
        case .perSquareMetre(let unit):
            (rateNumerator, rateDenominator) = (Int128(unit.minorUnits), 100)
            if unit < .zero { violations.append(FieldViolation(field: "price", message: "must not be negative")) }
        }
        if !(0...10_000).contains(bandBasisPoints) {
            violations.append(FieldViolation(field: "bandBasisPoints", message: "must be between 0 and 10000"))
        }
        try DealInputError.check(violations)

        let difference = Int128(actualArea.hundredths) - Int128(contractedArea.hundredths)
        // Areas in 1/10,000 of a hundredth of m², so that the band edge is a whole number.
        let scaledDifference = (difference < 0 ? -difference : difference) * 10_000
        let inside = min(scaledDifference, Int128(bandBasisPoints) * Int128(contractedArea.hundredths))
        let outside = scaledDifference - inside
        let denominator = rateDenominator * 10_000
        let sign: Int128 = difference < 0 ? -1 : 1
        let within = sign * FixedPoint.divideRounded(rateNumerator * inside, denominator)
        let beyond = difference < 0 ? -FixedPoint.divideRounded(2 * rateNumerator * outside, denominator) : 0
        guard let withinMoney = Money(exactly: within), let beyondMoney = Money(exactly: beyond),
              let total = Money(exactly: within + beyond) else {
            throw DealInputError([FieldViolation(field: "actualArea", message: "gives a settlement too large to hold")])
        }
        let ratio = FixedPoint.divideRounded(difference * Int128(Coefficient.denominator), Int128(contractedArea.hundredths))
        return AreaSettlement(contractedArea: contractedArea, actualArea: actualArea,
                              difference: Area(hundredths: Int64(difference)),
                              differenceRatio: Coefficient(millionths: Int64(clamping: ratio)),
                              withinBand: withinMoney, beyondBand: beyondMoney, amount: total,
                              buyerMayCancel: outside > 0)
    }

    /// The contract unit price `totalPrice ÷ contractedArea` per m², rounded half away from zero to the
    /// cent: for printing on the contract and screens. Settle with ``ContractPrice/total(_:)`` rather
    /// than with this rounded figure. Nil when the area is not more than 0 or the result does not fit.
    public static func unitPrice(totalPrice: Money, contractedArea: Area) -> Money? {
        guard contractedArea > .zero else { return nil }
        return Money(exactly: FixedPoint.divideRounded(Int128(totalPrice.minorUnits) * 100, Int128(contractedArea.hundredths)))
    }

    /// A settlement as computed (``compute(contractedArea:actualArea:price:bandBasisPoints:)`` makes them).
    public init(contractedArea: Area, actualArea: Area, difference: Area, differenceRatio: Coefficient,
                withinBand: Money, beyondBand: Money, amount: Money, buyerMayCancel: Bool) {
        self.contractedArea = contractedArea
        self.actualArea = actualArea
        self.difference = difference
        self.differenceRatio = differenceRatio
        self.withinBand = withinBand
        self.beyondBand = beyondBand
        self.amount = amount
        self.buyerMayCancel = buyerMayCancel
    }
}
