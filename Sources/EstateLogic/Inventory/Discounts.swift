import Foundation

/// What a discount takes off.
public enum DiscountKind: Sendable, Hashable {
    /// A share of the running price in basis points (200 is 2 %), 1 to 10,000.
    case percentage(basisPoints: Int)
    /// A fixed amount, more than 0.
    case fixedAmount(Money)
}

/// A discount a project offers (DOMAIN.md, "Pricing and discounts"): regular ones by payment method,
/// promotional ones in a time window for some rooms; percentage or fixed amount; applied in stacking order.
public struct DiscountScheme: Sendable, Hashable, Identifiable {
    /// The scheme's id (what the client sends in `discountIds`).
    public var id: UUID
    /// Unique in the project: 2 to 63 lower-case letters, digits or dashes.
    public var code: String
    /// Name shown to consultants and on quotes.
    public var name: String
    /// Percentage or fixed amount.
    public var kind: DiscountKind
    /// The payment methods it is offered with (e.g. `full_payment`, `mortgage`); empty for any.
    public var paymentMethods: Set<String>
    /// Start of the window, inclusive; nil for no start.
    public var validFrom: Date?
    /// End of the window, exclusive; nil for no end.
    public var validUntil: Date?
    /// Buildings all of whose rooms it applies to.
    public var buildingIDs: Set<UUID>
    /// Single rooms it applies to. With ``buildingIDs`` empty too, it applies to every room of the project.
    public var roomIDs: Set<UUID>
    /// Lower applies first; equal orders apply by code.
    public var stackingOrder: Int
    /// An inactive scheme cannot be chosen.
    public var active: Bool

    /// A scheme; by default for any payment method, any time, every room, stacking order 0, active.
    public init(id: UUID, code: String, name: String, kind: DiscountKind, paymentMethods: Set<String> = [],
                validFrom: Date? = nil, validUntil: Date? = nil, buildingIDs: Set<UUID> = [], roomIDs: Set<UUID> = [],
                stackingOrder: Int = 0, active: Bool = true) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.paymentMethods = paymentMethods
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.buildingIDs = buildingIDs
        self.roomIDs = roomIDs
        self.stackingOrder = stackingOrder
        self.active = active
    }

    /// Longest accepted name, in characters.
    public static let maximumNameLength = 200

    /// Every rule a new (or edited) scheme breaks; empty when acceptable:
    /// - `code`: 2 to 63 lower-case ASCII letters, digits or dashes, not starting with a dash;
    /// - `name`: not blank, at most 200 characters;
    /// - `basisPoints`: 1 to 10,000 for a percentage; `amount`: more than 0 for a fixed amount;
    /// - `paymentMethods`: each 1 to 64 characters without surrounding spaces;
    /// - `validUntil`: after `validFrom` when both are given.
    public static func violations(code: String, name: String, kind: DiscountKind, paymentMethods: Set<String> = [],
                                  validFrom: Date? = nil, validUntil: Date? = nil) -> [FieldViolation] {
        var result: [FieldViolation] = []
        let codeIsValid = (2...63).contains(code.count) && code.first != "-"
            && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        if !codeIsValid {
            result.append(FieldViolation(field: "code", message: "must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit"))
        }
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            result.append(FieldViolation(field: "name", message: "must not be blank"))
        } else if name.count > maximumNameLength {
            result.append(FieldViolation(field: "name", message: "must be at most \(maximumNameLength) characters"))
        }
        switch kind {
        case .percentage(let basisPoints) where !(1...10_000).contains(basisPoints):
            result.append(FieldViolation(field: "basisPoints", message: "must be between 1 and 10000 (0.01 % to 100 %)"))
        case .fixedAmount(let amount) where amount <= .zero:
            result.append(FieldViolation(field: "amount", message: "must be more than 0"))
        default:
            break
        }
        for method in paymentMethods.sorted() {
            let trimmed = method.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed != method || method.count > 64 {
                result.append(FieldViolation(field: "paymentMethods", message: "'\(method)' must be 1 to 64 characters without surrounding spaces"))
            }
        }
        if let validFrom, let validUntil, validUntil <= validFrom {
            result.append(FieldViolation(field: "validUntil", message: "must be after validFrom"))
        }
        return result
    }

    /// Whether the scheme is offered with `paymentMethod` (always when it names none).
    public func allows(paymentMethod: String) -> Bool {
        paymentMethods.isEmpty || paymentMethods.contains(paymentMethod)
    }

    /// Whether `moment` is in the window `[validFrom, validUntil)`.
    public func isValid(at moment: Date) -> Bool {
        (validFrom.map { moment >= $0 } ?? true) && (validUntil.map { moment < $0 } ?? true)
    }

    /// Whether the scheme applies to the room `roomID` of building `buildingID`.
    public func covers(roomID: UUID, buildingID: UUID) -> Bool {
        (roomIDs.isEmpty && buildingIDs.isEmpty) || roomIDs.contains(roomID) || buildingIDs.contains(buildingID)
    }
}

/// The room a quote is for: its list price and floor price.
public struct QuoteRoom: Sendable, Hashable {
    /// The room's id.
    public var id: UUID
    /// The room's building (schemes may cover whole buildings).
    public var buildingID: UUID
    /// The current list (total) price, 0 or more.
    public var listPrice: Money
    /// The lowest price without a manager's approval, if the room has one.
    public var floorPrice: Money?

    /// The room to quote.
    public init(id: UUID, buildingID: UUID, listPrice: Money, floorPrice: Money? = nil) {
        self.id = id
        self.buildingID = buildingID
        self.listPrice = listPrice
        self.floorPrice = floorPrice
    }
}

/// One discount applied in a quote.
public struct QuoteStep: Sendable, Hashable {
    /// The scheme applied.
    public var schemeID: UUID
    /// The scheme's code.
    public var code: String
    /// The scheme's name.
    public var name: String
    /// The scheme's kind.
    public var kind: DiscountKind
    /// What this discount took off (never more than the price before it).
    public var amountOff: Money
    /// The running price after this discount.
    public var priceAfter: Money

    /// One applied discount.
    public init(schemeID: UUID, code: String, name: String, kind: DiscountKind, amountOff: Money, priceAfter: Money) {
        self.schemeID = schemeID
        self.code = code
        self.name = name
        self.kind = kind
        self.amountOff = amountOff
        self.priceAfter = priceAfter
    }
}

/// Why a quote is refused. The violations name the client's `discountIds[i]`.
public enum QuoteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input is malformed (a negative list price: `listPrice`).
    case invalidInput([FieldViolation])
    /// Some chosen discounts cannot be given: inactive, wrong payment method, outside the window,
    /// not for this room, chosen twice. All of them are reported at once.
    case notApplicable([FieldViolation])

    /// The violations the error carries.
    public var violations: [FieldViolation] {
        switch self {
        case .invalidInput(let list), .notApplicable(let list): list
        }
    }

    public var description: String {
        violations.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }

    /// The same refusal with every field under `prefix` (a quote inside a larger request, e.g. `subscription.`).
    public static func prefixed(_ error: QuoteError, _ prefix: String) -> QuoteError {
        func moved(_ list: [FieldViolation]) -> [FieldViolation] { list.map { FieldViolation(field: prefix + $0.field, message: $0.message) } }
        switch error {
        case .invalidInput(let list): return .invalidInput(moved(list))
        case .notApplicable(let list): return .notApplicable(moved(list))
        }
    }
}

/// A room's price after the chosen discounts, step by step.
public struct Quote: Sendable, Hashable {
    /// The quoted room.
    public var roomID: UUID
    /// The payment method the quote is for.
    public var paymentMethod: String
    /// The room's list price before discounts.
    public var listPrice: Money
    /// The discounts in the order they were applied (stacking order, then code).
    public var steps: [QuoteStep]
    /// The price after every discount, 0 or more.
    public var finalPrice: Money
    /// listPrice − finalPrice.
    public var totalDiscount: Money
    /// The room's floor price, if it has one.
    public var floorPrice: Money?
    /// The final price is below the floor price: the sale needs a manager's approval.
    public var breachesFloor: Bool

    /// A quote (``compute(room:paymentMethod:schemes:at:)`` makes them).
    public init(roomID: UUID, paymentMethod: String, listPrice: Money, steps: [QuoteStep], finalPrice: Money,
                totalDiscount: Money, floorPrice: Money?, breachesFloor: Bool) {
        self.roomID = roomID
        self.paymentMethod = paymentMethod
        self.listPrice = listPrice
        self.steps = steps
        self.finalPrice = finalPrice
        self.totalDiscount = totalDiscount
        self.floorPrice = floorPrice
        self.breachesFloor = breachesFloor
    }

    /// Applies the discounts the client chose (`schemes`, in the client's order, which names them in
    /// errors as `discountIds[i]`) to `room`'s list price for a sale paid by `paymentMethod` at `moment`.
    ///
    /// The schemes apply in stacking order, ties by code (the client's order does not matter). A
    /// percentage takes its share of the running price, rounded half away from zero to the cent; a fixed
    /// amount is subtracted; the price never goes below 0.
    public static func compute(room: QuoteRoom, paymentMethod: String, schemes: [DiscountScheme],
                               at moment: Date) throws(QuoteError) -> Quote {
        guard room.listPrice >= .zero else {
            throw .invalidInput([FieldViolation(field: "listPrice", message: "must not be negative")])
        }
        var refusals: [FieldViolation] = []
        var firstIndex: [UUID: Int] = [:]
        for (index, scheme) in schemes.enumerated() {
            func refuse(_ message: String) {
                refusals.append(FieldViolation(field: "discountIds[\(index)]", message: message))
            }
            if let earlier = firstIndex[scheme.id] {
                refuse("discount '\(scheme.code)' is already chosen as discountIds[\(earlier)]")
                continue
            }
            firstIndex[scheme.id] = index
            if !scheme.active { refuse("discount '\(scheme.code)' is not active") }
            if !scheme.allows(paymentMethod: paymentMethod) {
                refuse("discount '\(scheme.code)' is only for payment by \(scheme.paymentMethods.sorted().joined(separator: ", "))")
            }
            if !scheme.isValid(at: moment) { refuse("discount '\(scheme.code)' is not valid at this time") }
            if !scheme.covers(roomID: room.id, buildingID: room.buildingID) {
                refuse("discount '\(scheme.code)' does not apply to this room")
            }
        }
        guard refusals.isEmpty else { throw .notApplicable(refusals) }

        let ordered = schemes.sorted {
            ($0.stackingOrder, $0.code, $0.id.uuidString) < ($1.stackingOrder, $1.code, $1.id.uuidString)
        }
        var price = room.listPrice
        var steps: [QuoteStep] = []
        for scheme in ordered {
            let off: Money
            switch scheme.kind {
            case .percentage(let basisPoints):
                let share = FixedPoint.divideRounded(Int128(price.minorUnits) * Int128(basisPoints), 10_000)
                off = Money(minorUnits: Int64(clamping: max(0, min(share, Int128(price.minorUnits)))))
            case .fixedAmount(let amount):
                off = Money(minorUnits: max(0, min(amount.minorUnits, price.minorUnits)))
            }
            price = price - off
            steps.append(QuoteStep(schemeID: scheme.id, code: scheme.code, name: scheme.name, kind: scheme.kind,
                                   amountOff: off, priceAfter: price))
        }
        return Quote(roomID: room.id, paymentMethod: paymentMethod, listPrice: room.listPrice, steps: steps,
                     finalPrice: price, totalDiscount: room.listPrice - price, floorPrice: room.floorPrice,
                     breachesFloor: room.floorPrice.map { price < $0 } ?? false)
    }
}
