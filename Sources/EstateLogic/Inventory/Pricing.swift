import Foundation

// MARK: - Input

/// One room as a pricing run sees it: what the factor tables match on and what its price multiplies.
public struct PricingRoom: Sendable, Hashable {
    /// The room's id, echoed in ``PricedRoom/id``.
    public var id: UUID
    /// What the unit price is per: m² of built or internal area, or the unit.
    public var basis: PricingBasis
    /// The pricing area (``RoomAreas/pricingArea(_:)``); required for area bases, ignored for `.unit`.
    public var area: Area?
    /// Matched by the floor table.
    public var floor: Int
    /// Matched exactly by the orientation table; nil matches no entry.
    public var orientation: String?
    /// Matched exactly by the view table; nil matches no entry.
    public var view: String?
    /// Matched exactly by the layout table; nil matches no entry.
    public var layout: String?
    /// Position on the floor, matched by the stack table.
    public var stack: Int

    /// A room to price; `area` may be nil for `.unit`.
    public init(id: UUID, basis: PricingBasis = .builtArea, area: Area?, floor: Int, orientation: String? = nil,
                view: String? = nil, layout: String? = nil, stack: Int) {
        self.id = id
        self.basis = basis
        self.area = area
        self.floor = floor
        self.orientation = orientation
        self.view = view
        self.layout = layout
        self.stack = stack
    }
}

/// What a matching factor-table entry does to a room's unit price.
public enum PriceAdjustment: Sendable, Hashable {
    /// Multiplies the base price (0 or more; JSON field `coefficient`).
    case coefficient(Coefficient)
    /// Adds an amount per weight unit, i.e. per m² or per unit (may be negative; JSON field `amount`).
    case amount(Money)
}

/// A floor-table entry: one floor or an inclusive range of floors `from` to `to`.
///
/// Kept as two numbers rather than a `ClosedRange` so that a client's reversed range is a violation
/// (``PricingFactors/violations(prefix:)``), not a trap.
public struct FloorFactor: Sendable, Hashable {
    /// The lowest floor it matches.
    public var from: Int
    /// The highest floor it matches; not below `from`.
    public var to: Int
    public var adjustment: PriceAdjustment

    /// An entry for the floors `from` to `to`, both included.
    public init(from: Int, to: Int, _ adjustment: PriceAdjustment) {
        self.from = from
        self.to = to
        self.adjustment = adjustment
    }

    /// An entry for the floors `floors` (a single floor is `7...7`).
    public init(floors: ClosedRange<Int>, _ adjustment: PriceAdjustment) {
        self.init(from: floors.lowerBound, to: floors.upperBound, adjustment)
    }

    /// An entry for the single floor `floor`.
    public init(floor: Int, _ adjustment: PriceAdjustment) {
        self.init(from: floor, to: floor, adjustment)
    }

    /// Whether the entry matches `floor`.
    public func matches(_ floor: Int) -> Bool { from <= floor && floor <= to }

    /// Whether the entry and `other` (both well-formed) share a floor.
    public func overlaps(_ other: FloorFactor) -> Bool { max(from, other.from) <= min(to, other.to) }
}

/// An entry of the orientation, view or layout table: matches a room whose attribute equals `value` exactly.
public struct AttributeFactor: Sendable, Hashable {
    /// The attribute value it matches (case-sensitive, non-empty, unique in its table).
    public var value: String
    public var adjustment: PriceAdjustment

    /// An entry matching rooms whose attribute is `value`.
    public init(value: String, _ adjustment: PriceAdjustment) {
        self.value = value
        self.adjustment = adjustment
    }
}

/// A stack-table entry: matches the rooms of stack (position on the floor) `stack`.
public struct StackFactor: Sendable, Hashable {
    /// The stack it matches (unique in the table).
    public var stack: Int
    public var adjustment: PriceAdjustment

    /// An entry matching the rooms of stack `stack`.
    public init(stack: Int, _ adjustment: PriceAdjustment) {
        self.stack = stack
        self.adjustment = adjustment
    }
}

/// The factor tables of a pricing run. A room matches at most one entry per table (floor ranges may not
/// overlap, keys may not repeat); a table without a matching entry contributes factor 1 and amount 0.
public struct PricingFactors: Sendable, Hashable {
    /// Entries by floor or floor range (field `factors.floor`).
    public var floor: [FloorFactor]
    /// Entries by orientation (field `factors.orientation`).
    public var orientation: [AttributeFactor]
    /// Entries by view (field `factors.view`).
    public var view: [AttributeFactor]
    /// Entries by layout (field `factors.layout`).
    public var layout: [AttributeFactor]
    /// Entries by stack (field `factors.stack`).
    public var stack: [StackFactor]

    /// Tables of factors; each defaults to empty.
    public init(floor: [FloorFactor] = [], orientation: [AttributeFactor] = [], view: [AttributeFactor] = [],
                layout: [AttributeFactor] = [], stack: [StackFactor] = []) {
        self.floor = floor
        self.orientation = orientation
        self.view = view
        self.layout = layout
        self.stack = stack
    }

    /// No factors: every room gets the base price.
    public static let none = PricingFactors()

    /// Every rule the tables break, with fields such as `factors.floor[2].coefficient`,
    /// `factors.floor[3]` (overlapping range) or `factors.view[1].value` (duplicate key):
    /// negative coefficients, ranges with `from` above `to` (`factors.floor[i].to`), overlapping floor
    /// ranges, empty or repeated keys.
    public func violations(prefix: String = "factors.") -> [FieldViolation] {
        var result: [FieldViolation] = []
        func checkAdjustment(_ adjustment: PriceAdjustment, _ field: String) {
            if case .coefficient(let coefficient) = adjustment, coefficient < .zero {
                result.append(FieldViolation(field: field + ".coefficient", message: "must not be negative"))
            }
        }
        for (index, entry) in floor.enumerated() {
            let field = "\(prefix)floor[\(index)]"
            checkAdjustment(entry.adjustment, field)
            if entry.from > entry.to {
                result.append(FieldViolation(field: field + ".to", message: "must not be below from (\(entry.from))"))
            } else if let earlier = floor[..<index].firstIndex(where: { $0.from <= $0.to && $0.overlaps(entry) }) {
                let other = floor[earlier]
                result.append(FieldViolation(field: field, message:
                    "floors \(entry.from) to \(entry.to) overlap \(prefix)floor[\(earlier)] (floors \(other.from) to \(other.to))"))
            }
        }
        for (name, table) in [("orientation", orientation), ("view", view), ("layout", layout)] {
            for (index, entry) in table.enumerated() {
                let field = "\(prefix)\(name)[\(index)]"
                checkAdjustment(entry.adjustment, field)
                if entry.value.isEmpty {
                    result.append(FieldViolation(field: field + ".value", message: "must not be empty"))
                } else if let earlier = table[..<index].firstIndex(where: { $0.value == entry.value }) {
                    result.append(FieldViolation(field: field + ".value", message: "'\(entry.value)' is already \(prefix)\(name)[\(earlier)]"))
                }
            }
        }
        for (index, entry) in stack.enumerated() {
            let field = "\(prefix)stack[\(index)]"
            checkAdjustment(entry.adjustment, field)
            if let earlier = stack[..<index].firstIndex(where: { $0.stack == entry.stack }) {
                result.append(FieldViolation(field: field + ".stack", message: "stack \(entry.stack) is already \(prefix)stack[\(earlier)]"))
            }
        }
        return result
    }

    /// The number of tables, hence the most adjustments a room can get.
    public static let tableCount = 5

    /// The adjustments of the entries that match `room`, one per table at most.
    public func adjustments(for room: PricingRoom) -> [PriceAdjustment] {
        var result: [PriceAdjustment] = []
        if let entry = floor.first(where: { $0.matches(room.floor) }) { result.append(entry.adjustment) }
        for (table, value) in [(orientation, room.orientation), (view, room.view), (layout, room.layout)] {
            if let value, let entry = table.first(where: { $0.value == value }) { result.append(entry.adjustment) }
        }
        if let entry = stack.first(where: { $0.stack == room.stack }) { result.append(entry.adjustment) }
        return result
    }
}

/// How a pricing run finds its base unit price.
public enum PricingMode: Sendable, Hashable {
    /// Use this base unit price (per m² or per unit; field `base`).
    case base(Money)
    /// Solve the base so that the total divided by the total weight is this (field `targetAverage`).
    case targetAverage(Money)
    /// Solve the base so that the rooms' list prices add up to this (field `targetTotal`).
    case targetTotal(Money)
}

// MARK: - Output

/// One room's prices from a pricing run.
public struct PricedRoom: Sendable, Hashable {
    /// The priced room's id.
    public var id: UUID
    /// Per m² of the pricing basis, or per unit; a multiple of the price step.
    public var unitPrice: Money
    /// The room's total price: unit price × area rounded to the cent (the unit price for `.unit`).
    public var listPrice: Money
    /// List price × floor ratio rounded to the cent, when a floor ratio was given.
    public var floorPrice: Money?

    /// One room's prices.
    public init(id: UUID, unitPrice: Money, listPrice: Money, floorPrice: Money?) {
        self.id = id
        self.unitPrice = unitPrice
        self.listPrice = listPrice
        self.floorPrice = floorPrice
    }
}

/// The result of a pricing run (a preview until published as a price list).
public struct PricingResult: Sendable, Hashable {
    /// The base unit price used: as given, or the solved one rounded to the cent.
    public var base: Money
    /// The rooms in input order.
    public var rooms: [PricedRoom]
    /// Σ list prices.
    public var total: Money
    /// Σ weights: the pricing area in m² of area-priced rooms plus 1.00 per unit-priced room.
    public var totalWeight: Area
    /// total ÷ total weight, rounded to the cent.
    public var averageUnitPrice: Money
    /// The target average unit price (given, or target total ÷ total weight rounded to the cent); nil with a given base.
    public var targetAverageUnitPrice: Money?
    /// The target total (given, or target average × total weight rounded to the cent); nil with a given base.
    public var targetTotal: Money?
    /// total − target total; nil with a given base.
    public var deviation: Money?
    /// average unit price − target average unit price; nil with a given base.
    public var averageDeviation: Money?

    /// A result (for the data and HTTP layers; runs make theirs with ``PricingRun/compute()``).
    public init(base: Money, rooms: [PricedRoom], total: Money, totalWeight: Area, averageUnitPrice: Money,
                targetAverageUnitPrice: Money? = nil, targetTotal: Money? = nil, deviation: Money? = nil,
                averageDeviation: Money? = nil) {
        self.base = base
        self.rooms = rooms
        self.total = total
        self.totalWeight = totalWeight
        self.averageUnitPrice = averageUnitPrice
        self.targetAverageUnitPrice = targetAverageUnitPrice
        self.targetTotal = targetTotal
        self.deviation = deviation
        self.averageDeviation = averageDeviation
    }
}

/// Why a pricing run is refused. Every case carries the field violations that explain it.
public enum PricingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input breaks rules (HTTP 400): no rooms (`rooms`), an area-priced room without a positive
    /// area (`rooms[i].area`), a duplicate room (`rooms[i].id`), price step ≤ 0 (`priceStep`), a floor
    /// ratio outside (0, 1] (`floorRatio`), a negative base or non-positive target, bad factor tables
    /// (`factors...`). All of them are reported at once.
    case invalidInput([FieldViolation])
    /// No base reaches the target: every room's coefficient product is 0 (`targetAverage`/`targetTotal`).
    case unsolvable([FieldViolation])
    /// Some rooms would get a negative unit price (`rooms[i]`, one per room).
    case negativeUnitPrice([FieldViolation])
    /// A price does not fit the money range (`rooms[i]`, `total` or the mode's field).
    case overflow([FieldViolation])

    /// The violations the error carries.
    public var violations: [FieldViolation] {
        switch self {
        case .invalidInput(let list), .unsolvable(let list), .negativeUnitPrice(let list), .overflow(let list): list
        }
    }

    public var description: String {
        violations.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}

// MARK: - The run

/// A pricing run (DOMAIN.md, "Pricing and discounts"): a base unit price and factor tables give every
/// room its unit price, list price and floor price; the base may be solved for a target.
///
/// A room's exact unit price is `base × Π(matching coefficients) + Σ(matching amounts)`. Its weight is
/// its pricing area in m² (1 for per-unit rooms). To hit a target total `T` (a target average `t` means
/// `T = t × Σ weights`), the base is solved in closed form: `base = (T − Σ wᵢaᵢ) / Σ wᵢcᵢ`, in exact
/// integer arithmetic of unbounded width, so nothing is lost before the one rounding per price:
/// - unit price: the exact value rounded half away from zero to a multiple of `priceStep`, so the
///   weighted average of the unit prices is within half a step of the target;
/// - list price: unit price × area rounded to the cent (the unit price itself for `.unit`);
/// - floor price: list price × `floorRatio` rounded to the cent.
public struct PricingRun: Sendable, Hashable {
    /// The rooms to price (fields `rooms[i]`), at least one, each once.
    public var rooms: [PricingRoom]
    /// The factor tables (fields `factors.…`).
    public var factors: PricingFactors
    /// A given base or a target to solve for.
    public var mode: PricingMode
    /// The unit price is rounded to a multiple of this (e.g. 1.00 or 100.00); more than 0.
    public var priceStep: Money
    /// Floor price ÷ list price, in (0, 1]; nil for no floor prices.
    public var floorRatio: Coefficient?

    /// A run; the price step defaults to 1.00.
    public init(rooms: [PricingRoom], factors: PricingFactors = .none, mode: PricingMode,
                priceStep: Money = Money(minorUnits: 100), floorRatio: Coefficient? = nil) {
        self.rooms = rooms
        self.factors = factors
        self.mode = mode
        self.priceStep = priceStep
        self.floorRatio = floorRatio
    }

    /// Every input rule the run breaks (see ``PricingError/invalidInput(_:)``); empty when it can run.
    public func violations() -> [FieldViolation] {
        var result: [FieldViolation] = []
        if rooms.isEmpty { result.append(FieldViolation(field: "rooms", message: "must contain at least one room")) }
        var seen: [UUID: Int] = [:]
        for (index, room) in rooms.enumerated() {
            if let earlier = seen[room.id] {
                result.append(FieldViolation(field: "rooms[\(index)].id", message: "room \(room.id.uuidString.lowercased()) is already rooms[\(earlier)]"))
            } else {
                seen[room.id] = index
            }
            if room.basis != .unit, (room.area ?? .zero) <= .zero {
                let what = room.area == nil ? "has no" : "has a zero or negative"
                result.append(FieldViolation(field: "rooms[\(index)].area",
                    message: "room \(room.id.uuidString.lowercased()) \(what) \(room.basis == .builtArea ? "built" : "internal") area to price by"))
            }
        }
        if priceStep <= .zero { result.append(FieldViolation(field: "priceStep", message: "must be more than 0")) }
        if let floorRatio, floorRatio <= .zero || floorRatio > .one {
            result.append(FieldViolation(field: "floorRatio", message: "must be more than 0 and at most 1"))
        }
        switch mode {
        case .base(let base) where base < .zero:
            result.append(FieldViolation(field: "base", message: "must not be negative"))
        case .targetAverage(let target) where target <= .zero:
            result.append(FieldViolation(field: "targetAverage", message: "must be more than 0"))
        case .targetTotal(let target) where target <= .zero:
            result.append(FieldViolation(field: "targetTotal", message: "must be more than 0"))
        default:
            break
        }
        return result + factors.violations()
    }

    /// Prices every room, or says why it cannot.
    public func compute() throws(PricingError) -> PricingResult {
        let inputViolations = violations()
        guard inputViolations.isEmpty else { throw .invalidInput(inputViolations) }

        // Weight in hundredths (1 m² or 1 unit = 100), coefficient product at scale 10^(6 × 5), amount in fen.
        let unitScale = ExactInteger(Coefficient.denominator)
        var weights: [Int64] = []
        var products: [ExactInteger] = []
        var amounts: [ExactInteger] = []
        for room in rooms {
            weights.append(room.basis == .unit ? 100 : room.area?.hundredths ?? 0)
            var product = ExactInteger(1)
            var amount = ExactInteger(0)
            var coefficientCount = 0
            for adjustment in factors.adjustments(for: room) {
                switch adjustment {
                case .coefficient(let coefficient):
                    product = product * ExactInteger(coefficient.millionths)
                    coefficientCount += 1
                case .amount(let money):
                    amount = amount + ExactInteger(money.minorUnits)
                }
            }
            for _ in 0..<max(0, PricingFactors.tableCount - coefficientCount) { product = product * unitScale }
            products.append(product)
            amounts.append(amount)
        }
        let totalWeight = weights.reduce(Int128(0)) { $0 + Int128($1) }
        guard let totalWeightValue = Int64(exactly: totalWeight) else {
            throw .overflow([FieldViolation(field: "rooms", message: "the total area is too large")])
        }
        let fullScale = ExactInteger.power10(Coefficient.scale * PricingFactors.tableCount)

        // Every unit price is (numerator × productᵢ + amountᵢ × denominator) / denominator.
        let numerator: ExactInteger
        let denominator: ExactInteger
        let base: Money
        var targetTotal: Money?
        var targetAverage: Money?
        switch mode {
        case .base(let given):
            numerator = ExactInteger(given.minorUnits)
            denominator = fullScale
            base = given
        case .targetAverage(let target), .targetTotal(let target):
            let field: String
            let targetTimes100: ExactInteger
            if case .targetAverage = mode {
                field = "targetAverage"
                targetTimes100 = ExactInteger(target.minorUnits) * ExactInteger(totalWeightValue)
                targetAverage = target
                targetTotal = Self.money(ExactInteger.divideRounded(targetTimes100, ExactInteger(100)))
            } else {
                field = "targetTotal"
                targetTimes100 = ExactInteger(target.minorUnits) * ExactInteger(100)
                targetTotal = target
                targetAverage = Self.money(ExactInteger.divideRounded(targetTimes100, ExactInteger(totalWeightValue)))
            }
            var weightedAmounts = ExactInteger(0)
            var weightedProducts = ExactInteger(0)
            for index in rooms.indices {
                let weight = ExactInteger(weights[index])
                weightedAmounts = weightedAmounts + weight * amounts[index]
                weightedProducts = weightedProducts + weight * products[index]
            }
            guard !weightedProducts.isZero else {
                throw .unsolvable([FieldViolation(field: field,
                    message: "every room's coefficients multiply to 0, so no base price changes the total")])
            }
            numerator = targetTimes100 - weightedAmounts
            denominator = weightedProducts
            guard let solved = Self.money(ExactInteger.divideRounded(numerator * fullScale, denominator)) else {
                throw .overflow([FieldViolation(field: field, message: "the solved base price is too large")])
            }
            base = solved
        }

        let step = ExactInteger(priceStep.minorUnits)
        let stepDenominator = denominator * step
        var priced: [PricedRoom] = []
        priced.reserveCapacity(rooms.count)
        var negative: [FieldViolation] = []
        var total = Int128(0)
        for (index, room) in rooms.enumerated() {
            let exactTimesDenominator = numerator * products[index] + amounts[index] * denominator
            let steps = ExactInteger.divideRounded(exactTimesDenominator, stepDenominator)
            guard let unitPrice = Self.money(steps * step) else {
                throw .overflow([FieldViolation(field: "rooms[\(index)]", message: "room \(room.id.uuidString.lowercased())'s unit price is too large")])
            }
            if unitPrice < .zero {
                negative.append(FieldViolation(field: "rooms[\(index)]",
                    message: "room \(room.id.uuidString.lowercased()) would cost \(unitPrice) per \(room.basis == .unit ? "unit" : "m²")"))
                continue
            }
            guard let listPrice = Self.listPrice(unit: unitPrice, area: Area(hundredths: weights[index]), basis: room.basis) else {
                throw .overflow([FieldViolation(field: "rooms[\(index)]", message: "room \(room.id.uuidString.lowercased())'s list price is too large")])
            }
            let floorPrice = floorRatio.map { Self.floorPrice(list: listPrice, ratio: $0) }
            total += Int128(listPrice.minorUnits)
            priced.append(PricedRoom(id: room.id, unitPrice: unitPrice, listPrice: listPrice, floorPrice: floorPrice))
        }
        guard negative.isEmpty else { throw .negativeUnitPrice(negative) }
        guard let totalValue = Int64(exactly: total) else {
            throw .overflow([FieldViolation(field: "total", message: "the total of the list prices is too large")])
        }
        guard let averageValue = Int64(exactly: FixedPoint.divideRounded(total * 100, totalWeight)) else {
            throw .overflow([FieldViolation(field: "rooms", message: "the average unit price is too large")])
        }
        let average = Money(minorUnits: averageValue)
        let totalMoney = Money(minorUnits: totalValue)
        return PricingResult(
            base: base, rooms: priced, total: totalMoney, totalWeight: Area(hundredths: totalWeightValue),
            averageUnitPrice: average,
            targetAverageUnitPrice: targetAverage, targetTotal: targetTotal,
            deviation: targetTotal.map { totalMoney - $0 },
            averageDeviation: targetAverage.map { average - $0 })
    }

    private static func money(_ value: ExactInteger) -> Money? {
        value.int64.map(Money.init(minorUnits:))
    }
}

// MARK: - Exact integers

/// A signed integer of unbounded width (sign and magnitude in 64-bit limbs), for the few products in a
/// pricing run that outgrow `Int128` (five 6-decimal coefficients are already 10^30). Only what pricing needs.
struct ExactInteger: Sendable, Hashable, ExpressibleByIntegerLiteral {
    /// True only for values below 0.
    private(set) var negative: Bool
    /// Magnitude, least significant limb first, no trailing zero limbs (0 is empty).
    private(set) var limbs: [UInt64]

    init(_ value: Int64) { self.init(Int128(value)) }

    init(integerLiteral value: Int64) { self.init(value) }

    init(_ value: Int128) {
        negative = value < 0
        var magnitude = value.magnitude
        limbs = []
        while magnitude != 0 {
            limbs.append(UInt64(truncatingIfNeeded: magnitude))
            magnitude >>= 64
        }
    }

    private init(negative: Bool, limbs: [UInt64]) {
        var limbs = limbs
        while limbs.last == 0 { limbs.removeLast() }
        self.negative = negative && !limbs.isEmpty
        self.limbs = limbs
    }

    static func power10(_ exponent: Int) -> ExactInteger {
        var result = ExactInteger(1)
        for _ in 0..<exponent { result = result * ExactInteger(10) }
        return result
    }

    var isZero: Bool { limbs.isEmpty }

    /// The value as an `Int64`, or nil when it does not fit.
    var int64: Int64? {
        guard limbs.count <= 2 else { return nil }
        var magnitude = UInt128(0)
        for limb in limbs.reversed() { magnitude = magnitude << 64 | UInt128(limb) }
        if negative {
            guard magnitude <= UInt128(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        return Int64(exactly: magnitude)
    }

    static prefix func - (value: ExactInteger) -> ExactInteger {
        ExactInteger(negative: !value.negative, limbs: value.limbs)
    }

    static func + (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
        if lhs.negative == rhs.negative { return ExactInteger(negative: lhs.negative, limbs: add(lhs.limbs, rhs.limbs)) }
        if compare(lhs.limbs, rhs.limbs) >= 0 { return ExactInteger(negative: lhs.negative, limbs: subtract(lhs.limbs, rhs.limbs)) }
        return ExactInteger(negative: rhs.negative, limbs: subtract(rhs.limbs, lhs.limbs))
    }

    static func - (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger { lhs + -rhs }

    static func * (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
        ExactInteger(negative: lhs.negative != rhs.negative, limbs: multiply(lhs.limbs, rhs.limbs))
    }

    /// `numerator / denominator` truncated toward zero, and the remainder (with the numerator's sign).
    static func quotientAndRemainder(_ numerator: ExactInteger, _ denominator: ExactInteger) -> (quotient: ExactInteger, remainder: ExactInteger) {
        precondition(!denominator.isZero, "division by zero")
        let (quotient, remainder) = divide(numerator.limbs, denominator.limbs)
        return (ExactInteger(negative: numerator.negative != denominator.negative, limbs: quotient),
                ExactInteger(negative: numerator.negative, limbs: remainder))
    }

    /// `numerator / denominator` rounded half away from zero.
    static func divideRounded(_ numerator: ExactInteger, _ denominator: ExactInteger) -> ExactInteger {
        let (quotient, remainder) = quotientAndRemainder(numerator, denominator)
        guard !remainder.isZero, compare(add(remainder.limbs, remainder.limbs), denominator.limbs) >= 0 else { return quotient }
        let one: ExactInteger = 1
        return quotient + (numerator.negative != denominator.negative ? -one : one)
    }

    // Magnitude arithmetic on little-endian limbs.

    private static func compare(_ lhs: [UInt64], _ rhs: [UInt64]) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for index in stride(from: lhs.count - 1, through: 0, by: -1) where lhs[index] != rhs[index] {
            return lhs[index] < rhs[index] ? -1 : 1
        }
        return 0
    }

    private static func add(_ lhs: [UInt64], _ rhs: [UInt64]) -> [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(max(lhs.count, rhs.count) + 1)
        var carry = UInt128(0)
        for index in 0..<max(lhs.count, rhs.count) {
            let sum = UInt128(index < lhs.count ? lhs[index] : 0) + UInt128(index < rhs.count ? rhs[index] : 0) + carry
            result.append(UInt64(truncatingIfNeeded: sum))
            carry = sum >> 64
        }
        if carry != 0 { result.append(UInt64(carry)) }
        return result
    }

    /// `lhs - rhs` for `lhs >= rhs`.
    private static func subtract(_ lhs: [UInt64], _ rhs: [UInt64]) -> [UInt64] {
        var result = lhs
        subtractInPlace(&result, rhs)
        return result
    }

    private static func subtractInPlace(_ lhs: inout [UInt64], _ rhs: [UInt64]) {
        var borrow = false
        for index in lhs.indices {
            let (partial, overflow1) = lhs[index].subtractingReportingOverflow(index < rhs.count ? rhs[index] : 0)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow ? 1 : 0)
            lhs[index] = difference
            borrow = overflow1 || overflow2
        }
        while lhs.last == 0 { lhs.removeLast() }
    }

    private static func multiply(_ lhs: [UInt64], _ rhs: [UInt64]) -> [UInt64] {
        guard !lhs.isEmpty, !rhs.isEmpty else { return [] }
        var result = [UInt64](repeating: 0, count: lhs.count + rhs.count)
        for i in lhs.indices {
            var carry = UInt128(0)
            for j in rhs.indices {
                // At most (2^64 − 1)² + 2 (2^64 − 1) = 2^128 − 1: never overflows.
                let product = UInt128(lhs[i]) * UInt128(rhs[j]) + UInt128(result[i + j]) + carry
                result[i + j] = UInt64(truncatingIfNeeded: product)
                carry = product >> 64
            }
            result[i + rhs.count] = UInt64(carry)
        }
        while result.last == 0 { result.removeLast() }
        return result
    }

    private static func bitWidth(_ limbs: [UInt64]) -> Int {
        guard let last = limbs.last else { return 0 }
        return (limbs.count - 1) * 64 + (64 - last.leadingZeroBitCount)
    }

    private static func shiftedLeft(_ limbs: [UInt64], by bits: Int) -> [UInt64] {
        let limbShift = bits / 64, bitShift = bits % 64
        var result = [UInt64](repeating: 0, count: limbShift)
        result.reserveCapacity(limbs.count + limbShift + 1)
        var carry: UInt64 = 0
        for limb in limbs {
            result.append(bitShift == 0 ? limb : limb << bitShift | carry)
            carry = bitShift == 0 ? 0 : limb >> (64 - bitShift)
        }
        if carry != 0 { result.append(carry) }
        return result
    }

    private static func shiftRightOneInPlace(_ limbs: inout [UInt64]) {
        for index in limbs.indices {
            limbs[index] = limbs[index] >> 1 | (index + 1 < limbs.count ? limbs[index + 1] << 63 : 0)
        }
        while limbs.last == 0 { limbs.removeLast() }
    }

    /// Binary long division of magnitudes: one compare-and-subtract per quotient bit.
    private static func divide(_ numerator: [UInt64], _ denominator: [UInt64]) -> (quotient: [UInt64], remainder: [UInt64]) {
        guard compare(numerator, denominator) >= 0 else { return ([], numerator) }
        let shift = bitWidth(numerator) - bitWidth(denominator)
        var divisor = shiftedLeft(denominator, by: shift)
        var remainder = numerator
        var quotient = [UInt64](repeating: 0, count: shift / 64 + 1)
        for bit in stride(from: shift, through: 0, by: -1) {
            if compare(remainder, divisor) >= 0 {
                subtractInPlace(&remainder, divisor)
                quotient[bit / 64] |= 1 << UInt64(bit % 64)
            }
            shiftRightOneInPlace(&divisor)
        }
        while quotient.last == 0 { quotient.removeLast() }
        return (quotient, remainder)
    }
}

extension PricingRun {
    /// A room's list price from its unit price: unit price × area, rounded half away from zero to
    /// the cent; the unit price itself for per-unit pricing. Nil when it does not fit.
    public static func listPrice(unit: Money, area: Area?, basis: PricingBasis) -> Money? {
        guard basis != .unit else { return unit }
        let exact = FixedPoint.divideRounded(Int128(unit.minorUnits) * Int128(area?.hundredths ?? 0), 100)
        return Int64(exactly: exact).map(Money.init(minorUnits:))
    }

    /// The floor price for a list price: list × ratio, rounded half away from zero to the cent.
    public static func floorPrice(list: Money, ratio: Coefficient) -> Money {
        Money(minorUnits: Int64(FixedPoint.divideRounded(Int128(list.minorUnits) * Int128(ratio.millionths), Int128(Coefficient.denominator))))
    }
}
