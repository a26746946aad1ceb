@testable import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func area(_ text: String) -> Area { Area(text)! }
private func coefficient(_ text: String) -> Coefficient { Coefficient(text)! }

/// A deterministic sequence of ids, so that failures name the same rooms every run.
private func roomID(_ index: Int) -> UUID {
    let digits = String(index)
    return UUID(uuidString: "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
}

private func run(_ pricingRun: PricingRun) throws(PricingError) -> PricingResult { try pricingRun.compute() }

/// The error a run throws, or nil when it succeeds.
private func failure(_ pricingRun: PricingRun) -> PricingError? {
    do { _ = try pricingRun.compute(); return nil } catch { return error }
}

/// 30 floors × 4 rooms; floor coefficients rising 0.5 % per floor (floors 1–3 one range), orientations S/N/E/W
/// by stack, a river view (+300.00 per m²) on stacks 1 and 2 above floor 10.
struct PricingTower {
    static let areas = [area("89.57"), area("120.35"), area("143.12"), area("76.40")]
    static let orientations = ["S", "N", "E", "W"]

    let rooms: [PricingRoom] = (1...30).flatMap { floor in
        (1...4).map { stack in
            PricingRoom(id: roomID(floor * 10 + stack), area: areas[stack - 1], floor: floor,
                        orientation: orientations[stack - 1], view: floor > 10 && stack <= 2 ? "river" : "garden",
                        layout: stack == 3 ? "4b2l" : "3b2l", stack: stack)
        }
    }

    let factors = PricingFactors(
        floor: [FloorFactor(floors: 1...3, .coefficient(coefficient("0.98")))]
            + (4...30).map { FloorFactor(floor: $0, .coefficient(Coefficient(millionths: 1_000_000 + Int64($0 - 4) * 5_000))) },
        orientation: [
            AttributeFactor(value: "S", .coefficient(coefficient("1.03"))),
            AttributeFactor(value: "N", .coefficient(coefficient("0.97"))),
            AttributeFactor(value: "E", .coefficient(coefficient("1.005"))),
            AttributeFactor(value: "W", .coefficient(coefficient("0.99"))),
        ],
        view: [AttributeFactor(value: "river", .amount(money("300.00")))])

    /// The coefficient product (scale 10^12) and amount of a room, computed independently of the run.
    func exact(_ room: PricingRoom) -> (product: Int128, amount: Int128) {
        let floorFactor: Int128 = room.floor <= 3 ? 980_000 : 1_000_000 + Int128(room.floor - 4) * 5_000
        let orientationFactor: Int128 = ["S": 1_030_000, "N": 970_000, "E": 1_005_000, "W": 990_000][room.orientation!]!
        return (floorFactor * orientationFactor, room.view == "river" ? 30_000 : 0)
    }
}

@Suite("Coefficient")
struct CoefficientTests {
    @Test func parsesAndPrints() throws {
        #expect(Coefficient("1.025")?.millionths == 1_025_000)
        #expect(Coefficient("1")?.millionths == 1_000_000)
        #expect(Coefficient("0.000001")?.millionths == 1)
        #expect(Coefficient("-0.5")?.millionths == -500_000)
        #expect(Coefficient("1.0000001") == nil)
        #expect(Coefficient("1e3") == nil)
        #expect(Coefficient("") == nil)
        #expect(Coefficient("abc") == nil)
        #expect(Coefficient.one.description == "1.0")
        #expect(coefficient("1.025").description == "1.025")
        #expect(coefficient("0.000001").description == "0.000001")
        #expect(coefficient("-2.5").description == "-2.5")
        #expect(Coefficient.zero.description == "0.0")
        #expect(coefficient("0.98") < .one)
    }

    @Test func codesAsDecimalString() throws {
        let data = try JSONEncoder().encode([coefficient("1.025")])
        #expect(String(decoding: data, as: UTF8.self) == #"["1.025"]"#)
        #expect(try JSONDecoder().decode([Coefficient].self, from: Data(#"["0.97"]"#.utf8)) == [coefficient("0.97")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Coefficient].self, from: Data(#"[1.5]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Coefficient].self, from: Data(#"["1.1234567"]"#.utf8)) }
    }
}

@Suite("Exact integers")
struct ExactIntegerTests {
    /// A small linear congruential generator: the same values every run.
    struct Sequence {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64(bitPattern: state)
        }
    }

    @Test func agreesWithInt128() {
        var sequence = Sequence()
        for round in 0..<2_000 {
            let a = sequence.next() >> (round % 40), b = sequence.next() >> (round % 50)
            let c = sequence.next() >> (round % 60)
            let product = Int128(a) * Int128(b)
            #expect((ExactInteger(a) * ExactInteger(b)).int64 == Int64(exactly: product))
            #expect(ExactInteger(a) * ExactInteger(b) == ExactInteger(product))
            #expect(ExactInteger(product) + ExactInteger(c) == ExactInteger(product + Int128(c)))
            #expect(ExactInteger(product) - ExactInteger(c) == ExactInteger(product - Int128(c)))
            if c != 0 {
                let (quotient, remainder) = ExactInteger.quotientAndRemainder(ExactInteger(product), ExactInteger(c))
                #expect(quotient == ExactInteger(product / Int128(c)))
                #expect(remainder == ExactInteger(product % Int128(c)))
                #expect(ExactInteger.divideRounded(ExactInteger(product), ExactInteger(c))
                        == ExactInteger(FixedPoint.divideRounded(product, Int128(c))))
            }
        }
    }

    @Test func beyondInt128() {
        let big = ExactInteger.power10(30) * ExactInteger.power10(30)
        #expect(big == ExactInteger.power10(60))
        #expect(ExactInteger.quotientAndRemainder(big + 7, ExactInteger.power10(30)).quotient == ExactInteger.power10(30))
        #expect(ExactInteger.quotientAndRemainder(big + 7, ExactInteger.power10(30)).remainder == 7)
        #expect(ExactInteger.divideRounded(ExactInteger.power10(45) * 5 - 1, ExactInteger.power10(46)) == 0)
        #expect(ExactInteger.divideRounded(ExactInteger.power10(45) * 5, ExactInteger.power10(46)) == 1)
        #expect(ExactInteger.divideRounded(-(ExactInteger.power10(45) * 5), ExactInteger.power10(46)) == -1)
        #expect(big.int64 == nil)
        #expect((big - big).isZero)
        #expect(ExactInteger(Int64.min).int64 == Int64.min)
        #expect(ExactInteger(Int64.max).int64 == Int64.max)
        #expect((ExactInteger(Int64.max) + 1).int64 == nil)
        #expect((ExactInteger(Int64.min) - 1).int64 == nil)
    }

    @Test func roundsHalfAwayFromZero() {
        #expect(ExactInteger.divideRounded(5, 2) == 3)
        #expect(ExactInteger.divideRounded(-5, 2) == -3)
        #expect(ExactInteger.divideRounded(5, -2) == -3)
        #expect(ExactInteger.divideRounded(-5, -2) == 3)
        #expect(ExactInteger.divideRounded(7, 3) == 2)
        #expect(ExactInteger.divideRounded(-7, 3) == -2)
        #expect(ExactInteger.divideRounded(8, 3) == 3)
        #expect(ExactInteger.divideRounded(0, 3) == 0)
    }
}

@Suite("Pricing run")
struct PricingTests {
    let tower = PricingTower()

    @Test func factorsOfOneGiveTheBaseEverywhere() throws {
        let ones = PricingFactors(
            floor: [FloorFactor(floors: -2...40, .coefficient(.one))],
            orientation: PricingTower.orientations.map { AttributeFactor(value: $0, .coefficient(.one)) },
            view: [AttributeFactor(value: "river", .coefficient(.one)), AttributeFactor(value: "garden", .amount(.zero))],
            layout: [AttributeFactor(value: "3b2l", .coefficient(.one))],
            stack: (1...4).map { StackFactor(stack: $0, .coefficient(.one)) })
        for factors in [ones, .none] {
            let result = try run(PricingRun(rooms: tower.rooms, factors: factors, mode: .base(money("15000.00"))))
            #expect(result.base == money("15000.00"))
            #expect(result.rooms.map(\.id) == tower.rooms.map(\.id))
            #expect(result.rooms.allSatisfy { $0.unitPrice == money("15000.00") && $0.floorPrice == nil })
            // 89.57 m² × 15000.00 = 1343550.00
            #expect(result.rooms[0].listPrice == money("1343550.00"))
            #expect(result.averageUnitPrice == money("15000.00"))
            #expect(result.totalWeight == area("12883.20"))  // 30 × (89.57 + 120.35 + 143.12 + 76.40)
            #expect(result.total == money("193248000.00"))
            #expect(result.targetTotal == nil && result.targetAverageUnitPrice == nil)
            #expect(result.deviation == nil && result.averageDeviation == nil)
        }
    }

    @Test(arguments: ["18000.00", "23456.78", "31000.55", "9999.99"], ["0.01", "1.00", "50.00", "100.00", "1000.00"])
    func solverHitsTheTargetAverageWithinHalfAStep(target: String, step: String) throws {
        let target = money(target), step = money(step)
        let result = try run(PricingRun(rooms: tower.rooms, factors: tower.factors, mode: .targetAverage(target), priceStep: step))
        #expect(result.rooms.count == 120)
        #expect(result.targetAverageUnitPrice == target)

        // Weighted average of the unit prices within half a step of the target, exactly:
        // |Σ wᵢ uᵢ − target × Σ wᵢ| ≤ step/2 × Σ wᵢ (weights in hundredths of m²).
        let totalWeight = Int128(result.totalWeight.hundredths)
        var weightedUnits = Int128(0)
        for (room, priced) in zip(tower.rooms, result.rooms) {
            #expect(priced.unitPrice.minorUnits % step.minorUnits == 0, "\(priced.unitPrice) is not a multiple of \(step)")
            weightedUnits += Int128(room.area!.hundredths) * Int128(priced.unitPrice.minorUnits)
            #expect(priced.listPrice.minorUnits == Int64(FixedPoint.divideRounded(
                Int128(room.area!.hundredths) * Int128(priced.unitPrice.minorUnits), 100)))
        }
        let deviation = weightedUnits - Int128(target.minorUnits) * totalWeight
        #expect(deviation.magnitude * 2 <= UInt128(step.minorUnits) * UInt128(totalWeight), "deviation \(deviation)")
        // The rounded average adds at most a cent of list-price and average rounding.
        #expect(result.averageDeviation!.minorUnits.magnitude * 2 <= UInt64(step.minorUnits) + 2)
        #expect(result.averageDeviation == result.averageUnitPrice - target)
        #expect(result.deviation == result.total - result.targetTotal!)

        // Each unit price is the exact solved price rounded to the step, computed here independently in Int128:
        // base = (T·100 − Σ wᵢaᵢ) / Σ wᵢpᵢ (scale 10^12), uᵢ = round((base·pᵢ + aᵢ) / step) · step.
        var weightedAmounts = Int128(0), weightedProducts = Int128(0)
        for room in tower.rooms {
            let (product, amount) = tower.exact(room)
            weightedAmounts += Int128(room.area!.hundredths) * amount
            weightedProducts += Int128(room.area!.hundredths) * product
        }
        let numerator = Int128(target.minorUnits) * totalWeight - weightedAmounts
        for (room, priced) in zip(tower.rooms, result.rooms) {
            let (product, amount) = tower.exact(room)
            let steps = FixedPoint.divideRounded(numerator * product + amount * weightedProducts,
                                                 weightedProducts * Int128(step.minorUnits))
            #expect(Int128(priced.unitPrice.minorUnits) == steps * Int128(step.minorUnits), "room \(room.floor)/\(room.stack)")
        }
        #expect(Int128(result.base.minorUnits) == FixedPoint.divideRounded(numerator * 1_000_000_000_000, weightedProducts))
    }

    @Test func pricesRiseWithTheFloorAndFollowTheFactors() throws {
        let result = try run(PricingRun(rooms: tower.rooms, factors: tower.factors, mode: .base(money("20000.00"))))
        let byRoom = Dictionary(uniqueKeysWithValues: result.rooms.map { ($0.id, $0) })
        // floor 2 (range 1–3, 0.98) south: 20000 × 0.98 × 1.03 = 20188.00
        #expect(byRoom[roomID(21)]?.unitPrice == money("20188.00"))
        // floor 20 (1.08) north with river view: 20000 × 1.08 × 0.97 + 300 = 21252.00
        #expect(byRoom[roomID(202)]?.unitPrice == money("21252.00"))
        // floor 30 (1.13) east: 20000 × 1.13 × 1.005 = 22713.00
        #expect(byRoom[roomID(303)]?.unitPrice == money("22713.00"))
        for stack in 1...4 {
            let column = (4...30).map { byRoom[roomID($0 * 10 + stack)]!.unitPrice }
            #expect(column == column.sorted(), "stack \(stack)")
        }
    }

    @Test(arguments: ["100000000.00", "287654321.09", "412345678.99"])
    func solverHitsATargetTotal(total: String) throws {
        let target = money(total)
        for step in [money("1.00"), money("100.00")] {
            let result = try run(PricingRun(rooms: tower.rooms, factors: tower.factors, mode: .targetTotal(target), priceStep: step))
            #expect(result.targetTotal == target)
            #expect(result.deviation == result.total - target)
            // Within half a step per m² plus half a cent per room.
            let bound = step.minorUnits * result.totalWeight.hundredths / 200 + 60
            #expect(abs(result.deviation!.minorUnits) <= bound, "deviation \(result.deviation!) step \(step)")
            #expect(result.targetAverageUnitPrice == Money(minorUnits: Int64(FixedPoint.divideRounded(
                Int128(target.minorUnits) * 100, Int128(result.totalWeight.hundredths)))))
        }
    }

    @Test func targetOfTheBasePriceRunReproducesTheBase() throws {
        let rooms = (1...10).map { PricingRoom(id: roomID($0), area: area("100.00"), floor: $0, stack: 1) }
        let result = try run(PricingRun(rooms: rooms, mode: .targetAverage(money("12345.00"))))
        #expect(result.base == money("12345.00"))
        #expect(result.rooms.allSatisfy { $0.unitPrice == money("12345.00") && $0.listPrice == money("1234500.00") })
        #expect(result.deviation == .zero && result.averageDeviation == .zero)
    }

    @Test func emptyRoomSetIsRefused() {
        let error = failure(PricingRun(rooms: [], mode: .targetAverage(money("10000.00"))))
        guard case .invalidInput(let violations) = error else { Issue.record("expected invalid input, got \(String(describing: error))"); return }
        #expect(violations.map(\.field) == ["rooms"])
    }

    @Test func missingOrZeroAreaIsRefusedNamingTheRoom() {
        let rooms = [
            PricingRoom(id: roomID(1), area: area("90.00"), floor: 1, stack: 1),
            PricingRoom(id: roomID(2), area: nil, floor: 1, stack: 2),
            PricingRoom(id: roomID(3), basis: .internalArea, area: .zero, floor: 1, stack: 3),
            PricingRoom(id: roomID(4), basis: .unit, area: nil, floor: -1, stack: 4),
        ]
        let error = failure(PricingRun(rooms: rooms, mode: .base(money("10000.00"))))
        guard case .invalidInput(let violations) = error else { Issue.record("expected invalid input"); return }
        #expect(violations.map(\.field) == ["rooms[1].area", "rooms[2].area"])
        #expect(violations[0].message.contains(roomID(2).uuidString.lowercased()))
        #expect(violations[0].message.contains("built area"))
        #expect(violations[1].message.contains(roomID(3).uuidString.lowercased()))
        #expect(violations[1].message.contains("internal area"))
    }

    @Test func duplicateRoomsAreRefused() {
        let room = PricingRoom(id: roomID(1), area: area("90.00"), floor: 1, stack: 1)
        let error = failure(PricingRun(rooms: [room, room], mode: .base(money("10000.00"))))
        #expect(error?.violations.map(\.field) == ["rooms[1].id"])
    }

    @Test func perUnitParkingWeighsOne() throws {
        let parking = (1...3).map { PricingRoom(id: roomID(100 + $0), basis: .unit, area: area("12.50"), floor: -1, stack: $0) }
        let factors = PricingFactors(stack: [StackFactor(stack: 1, .coefficient(coefficient("1.2"))),
                                             StackFactor(stack: 3, .amount(money("-5000.00")))])
        let result = try run(PricingRun(rooms: parking, factors: factors, mode: .base(money("150000.00")), floorRatio: coefficient("0.9")))
        #expect(result.rooms.map(\.unitPrice) == [money("180000.00"), money("150000.00"), money("145000.00")])
        #expect(result.rooms.map(\.listPrice) == result.rooms.map(\.unitPrice))  // the area is ignored
        #expect(result.rooms.map(\.floorPrice) == [money("162000.00"), money("135000.00"), money("130500.00")])
        #expect(result.totalWeight == area("3.00"))
        #expect(result.total == money("475000.00"))
        #expect(result.averageUnitPrice == money("158333.33"))

        // Solving for the average price of a space: Σ weights is the number of spaces.
        let solved = try run(PricingRun(rooms: parking, factors: factors, mode: .targetAverage(money("160000.00"))))
        // base = (3 × 160000 + 5000) / (1.2 + 1 + 1) = 151562.50
        #expect(solved.base == money("151562.50"))
        #expect(solved.rooms.map(\.unitPrice) == [money("181875.00"), money("151563.00"), money("146563.00")])
        #expect(solved.total == money("480001.00"))
        #expect(solved.deviation == money("1.00"))
    }

    @Test func mixedAreaAndUnitRoomsSolveTogether() throws {
        let rooms = [
            PricingRoom(id: roomID(1), area: area("100.00"), floor: 1, stack: 1),
            PricingRoom(id: roomID(2), basis: .unit, area: nil, floor: -1, stack: 1),
        ]
        let result = try run(PricingRun(rooms: rooms, mode: .targetTotal(money("2020000.00"))))
        // Σ weight = 101: base = 2020000 / 101 = 20000
        #expect(result.base == money("20000.00"))
        #expect(result.rooms.map(\.listPrice) == [money("2000000.00"), money("20000.00")])
        #expect(result.totalWeight == area("101.00"))
        #expect(result.deviation == .zero)
    }

    @Test func additiveAmountsAddPerSquareMetre() throws {
        let rooms = [
            PricingRoom(id: roomID(1), area: area("80.00"), floor: 10, orientation: "S", view: "sea", stack: 1),
            PricingRoom(id: roomID(2), area: area("80.00"), floor: 11, orientation: "S", view: "street", stack: 2),
            PricingRoom(id: roomID(3), area: area("80.00"), floor: 10, orientation: nil, view: nil, stack: 3),
        ]
        let factors = PricingFactors(
            floor: [FloorFactor(floor: 10, .amount(money("-200.00")))],
            orientation: [AttributeFactor(value: "S", .coefficient(coefficient("1.1")))],
            view: [AttributeFactor(value: "sea", .amount(money("500.00"))), AttributeFactor(value: "street", .coefficient(coefficient("0.95")))])
        let result = try run(PricingRun(rooms: rooms, factors: factors, mode: .base(money("10000.00"))))
        // 10000 × 1.1 + 500 − 200; 10000 × 1.1 × 0.95; 10000 − 200 (nil attributes match nothing)
        #expect(result.rooms.map(\.unitPrice) == [money("11300.00"), money("10450.00"), money("9800.00")])
        #expect(result.rooms.map(\.listPrice) == [money("904000.00"), money("836000.00"), money("784000.00")])

        // Solving with amounts: base = (T·Σw − Σ wᵢaᵢ) / Σ wᵢcᵢ = (3 × 10000 − 300 + 200) / (1.1 + 1.045 + 1)
        let solved = try run(PricingRun(rooms: rooms, factors: factors, mode: .targetAverage(money("10000.00")), priceStep: money("0.01")))
        #expect(solved.base == money("9507.15"))  // 29900 / 3.145 = 9507.1542...
        // 9507.1542 × 1.1 + 300 = 10757.87; × 1.045 = 9934.98; − 200 = 9307.15
        #expect(solved.rooms.map(\.unitPrice) == [money("10757.87"), money("9934.98"), money("9307.15")])
        #expect(solved.total == money("2400000.00"))
    }

    @Test func zeroCoefficientsGiveFixedPricesButCannotBeSolved() throws {
        let rooms = (1...3).map { PricingRoom(id: roomID($0), basis: .unit, area: nil, floor: -2, stack: $0) }
        let factors = PricingFactors(floor: [FloorFactor(floors: -3 ... -1, .coefficient(.zero))],
                                     stack: [StackFactor(stack: 2, .amount(money("88000.00")))])
        let fixed = try run(PricingRun(rooms: rooms, factors: factors, mode: .base(money("150000.00"))))
        #expect(fixed.rooms.map(\.unitPrice) == [.zero, money("88000.00"), .zero])

        let error = failure(PricingRun(rooms: rooms, factors: factors, mode: .targetAverage(money("100000.00"))))
        guard case .unsolvable(let violations) = error else { Issue.record("expected unsolvable, got \(String(describing: error))"); return }
        #expect(violations.map(\.field) == ["targetAverage"])
        let totalError = failure(PricingRun(rooms: rooms, factors: factors, mode: .targetTotal(money("100000.00"))))
        #expect(totalError?.violations.map(\.field) == ["targetTotal"])
    }

    @Test func negativeUnitPricesAreRefusedPerRoom() {
        let rooms = (1...3).map { PricingRoom(id: roomID($0), area: area("50.00"), floor: 1, view: $0 == 2 ? "wall" : nil, stack: $0) }
        let factors = PricingFactors(view: [AttributeFactor(value: "wall", .amount(money("-2000.00")))])
        let error = failure(PricingRun(rooms: rooms, factors: factors, mode: .base(money("1000.00"))))
        guard case .negativeUnitPrice(let violations) = error else { Issue.record("expected negative price, got \(String(describing: error))"); return }
        #expect(violations.map(\.field) == ["rooms[1]"])
        #expect(violations[0].message.contains("-1000.00"))

        // A target low enough that the additive amounts push rooms below zero.
        let solvedError = failure(PricingRun(rooms: rooms, factors: factors, mode: .targetAverage(money("100.00"))))
        #expect(solvedError?.violations.map(\.field) == ["rooms[1]"])
    }

    @Test func badParametersAreAllReportedAtOnce() {
        let rooms = [PricingRoom(id: roomID(1), area: area("50.00"), floor: 1, stack: 1)]
        let fields = { (run: PricingRun) in failure(run)?.violations.map(\.field) }
        #expect(fields(PricingRun(rooms: rooms, mode: .base(money("1.00")), priceStep: .zero)) == ["priceStep"])
        #expect(fields(PricingRun(rooms: rooms, mode: .base(money("1.00")), priceStep: money("-1.00"))) == ["priceStep"])
        #expect(fields(PricingRun(rooms: rooms, mode: .base(money("-1.00")))) == ["base"])
        #expect(fields(PricingRun(rooms: rooms, mode: .targetAverage(.zero))) == ["targetAverage"])
        #expect(fields(PricingRun(rooms: rooms, mode: .targetTotal(money("-5.00")))) == ["targetTotal"])
        #expect(fields(PricingRun(rooms: rooms, mode: .base(.zero), floorRatio: .zero)) == ["floorRatio"])
        #expect(fields(PricingRun(rooms: rooms, mode: .base(.zero), floorRatio: coefficient("1.000001"))) == ["floorRatio"])
        #expect(fields(PricingRun(rooms: rooms, mode: .base(.zero), floorRatio: .one)) == nil)
        #expect(fields(PricingRun(rooms: [], factors: PricingFactors(view: [AttributeFactor(value: "", .coefficient(.one))]),
                                  mode: .base(money("-1.00")), priceStep: .zero))
                == ["rooms", "priceStep", "base", "factors.view[0].value"])
    }

    @Test func overlappingRangesAndDuplicateKeysAreRefused() {
        let factors = PricingFactors(
            floor: [FloorFactor(floors: 1...5, .coefficient(.one)), FloorFactor(floors: 6...9, .coefficient(.one)),
                    FloorFactor(floors: 9...12, .coefficient(.one)), FloorFactor(floor: 3, .amount(.zero)),
                    FloorFactor(floors: -2 ... -1, .coefficient(coefficient("-0.1")))],
            orientation: [AttributeFactor(value: "S", .coefficient(.one)), AttributeFactor(value: "S", .amount(.zero))],
            view: [AttributeFactor(value: "sea", .coefficient(.one)), AttributeFactor(value: "Sea", .coefficient(.one))],
            layout: [AttributeFactor(value: "3b2l", .coefficient(.one)), AttributeFactor(value: "2b1l", .coefficient(.one)),
                     AttributeFactor(value: "3b2l", .coefficient(.one))],
            stack: [StackFactor(stack: 2, .coefficient(.one)), StackFactor(stack: 2, .coefficient(.one))])
        let violations = factors.violations()
        #expect(violations.map(\.field) == [
            "factors.floor[2]", "factors.floor[3]", "factors.floor[4].coefficient",
            "factors.orientation[1].value", "factors.layout[2].value", "factors.stack[1].stack",
        ])
        #expect(violations[0].message.contains("factors.floor[1]"))
        #expect(violations[1].message.contains("factors.floor[0]"))
        #expect(violations[4].message.contains("factors.layout[0]"))

        let rooms = [PricingRoom(id: roomID(1), area: area("50.00"), floor: 1, stack: 1)]
        guard case .invalidInput(let reported) = failure(PricingRun(rooms: rooms, factors: factors, mode: .base(.zero))) else {
            Issue.record("expected invalid input"); return
        }
        #expect(reported == violations)
        #expect(PricingFactors(floor: [FloorFactor(floors: 1...5, .coefficient(.one)), FloorFactor(floors: 6...6, .coefficient(.one))])
            .violations().isEmpty)

        // A reversed range is reported on its `to` and takes no part in the overlap check.
        let reversed = PricingFactors(floor: [FloorFactor(from: 9, to: 3, .coefficient(.one)), FloorFactor(from: 4, to: 4, .coefficient(.one)),
                                              FloorFactor(from: 2, to: 5, .amount(.zero))])
        #expect(reversed.violations().map(\.field) == ["factors.floor[0].to", "factors.floor[2]"])
        #expect(reversed.violations()[1].message.contains("factors.floor[1] (floors 4 to 4)"))
        #expect(FloorFactor(from: -3, to: -1, .coefficient(.one)).matches(-2))
        #expect(!FloorFactor(from: -3, to: -1, .coefficient(.one)).matches(1))
    }

    @Test func unitPricesRoundHalfAwayFromZeroFromTheExactValue() throws {
        let room = PricingRoom(id: roomID(1), area: area("100.00"), floor: 1, stack: 1)
        func unitPrice(_ base: String, _ factor: String, step: String) throws -> Money {
            let factors = PricingFactors(stack: [StackFactor(stack: 1, .coefficient(coefficient(factor)))])
            return try run(PricingRun(rooms: [room], factors: factors, mode: .base(money(base)), priceStep: money(step))).rooms[0].unitPrice
        }
        #expect(try unitPrice("10000.00", "1.00005", step: "1.00") == money("10001.00"))   // exactly 10000.50
        #expect(try unitPrice("10000.00", "1.000049", step: "1.00") == money("10000.00"))  // 10000.49
        #expect(try unitPrice("10050.00", "1", step: "100.00") == money("10100.00"))       // exactly half a step
        #expect(try unitPrice("10049.99", "1", step: "100.00") == money("10000.00"))
        #expect(try unitPrice("1.00", "0.000005", step: "0.01") == money("0.00"))          // 0.000005 yuan
        #expect(try unitPrice("1000.00", "0.000005", step: "0.01") == money("0.01"))       // exactly 0.005
        // No double rounding: 10000 × 1.000049 × 1.000001 = 10000.50000049 rounds up although neither factor alone does.
        let twoFactors = PricingFactors(floor: [FloorFactor(floor: 1, .coefficient(coefficient("1.000049")))],
                                        stack: [StackFactor(stack: 1, .coefficient(coefficient("1.000001")))])
        #expect(try run(PricingRun(rooms: [room], factors: twoFactors, mode: .base(money("10000.00")))).rooms[0].unitPrice
                == money("10001.00"))

        // List price: 1.01 × 0.50 m² = 0.505 → 0.51; floor price 0.51 × 0.5 = 0.255 → 0.26.
        let small = PricingRoom(id: roomID(2), area: area("0.50"), floor: 1, stack: 2)
        let result = try run(PricingRun(rooms: [small], mode: .base(money("1.01")), priceStep: money("0.01"), floorRatio: coefficient("0.5")))
        #expect(result.rooms[0].listPrice == money("0.51"))
        #expect(result.rooms[0].floorPrice == money("0.26"))
    }

    @Test func floorPricesFollowTheRatio() throws {
        let rooms = [PricingRoom(id: roomID(1), area: area("89.57"), floor: 1, stack: 1)]
        let result = try run(PricingRun(rooms: rooms, mode: .base(money("15000.00")), floorRatio: coefficient("0.95")))
        #expect(result.rooms[0].listPrice == money("1343550.00"))
        #expect(result.rooms[0].floorPrice == money("1276372.50"))
    }

    @Test func largeBuildingsDoNotOverflow() throws {
        // 10,000 rooms × 200 m² × 200,000.00 per m², with six-decimal coefficients in all five tables.
        let rooms = (0..<10_000).map { index in
            PricingRoom(id: roomID(index), area: area("200.00"), floor: index % 100 + 1, orientation: ["S", "N"][index % 2],
                        view: "park", layout: "4b2l", stack: index % 7 + 1)
        }
        let factors = PricingFactors(
            floor: (1...100).map { FloorFactor(floor: $0, .coefficient(Coefficient(millionths: 1_000_000 + Int64($0) * 1_234))) },
            orientation: [AttributeFactor(value: "S", .coefficient(coefficient("1.123457"))), AttributeFactor(value: "N", .coefficient(coefficient("0.987653")))],
            view: [AttributeFactor(value: "park", .coefficient(coefficient("1.000001")))],
            layout: [AttributeFactor(value: "4b2l", .coefficient(coefficient("0.999999")))],
            stack: (1...7).map { StackFactor(stack: $0, .coefficient(Coefficient(millionths: 999_000 + Int64($0) * 333))) })
        let target = money("200000.00")
        let result = try run(PricingRun(rooms: rooms, factors: factors, mode: .targetAverage(target), priceStep: money("1.00"),
                                        floorRatio: coefficient("0.97")))
        #expect(result.totalWeight == area("2000000.00"))
        #expect(result.targetTotal == money("400000000000.00"))
        #expect(abs(result.averageDeviation!.minorUnits) <= 51)
        #expect(abs(result.deviation!.minorUnits) <= 50 * 2_000_000 + 10_000)

        let atBase = try run(PricingRun(rooms: rooms, mode: .base(target)))
        #expect(atBase.total == money("400000000000.00"))
        #expect(atBase.rooms[9_999].listPrice == money("40000000.00"))
    }

    @Test func pricesBeyondTheMoneyRangeFailCleanly() {
        let room = PricingRoom(id: roomID(1), area: area("100000.00"), floor: 1, stack: 1)
        // 90,000,000,000,000.00 per m² × 100,000 m²: the list price does not fit.
        let listError = failure(PricingRun(rooms: [room], mode: .base(money("90000000000000.00"))))
        guard case .overflow(let violations) = listError else { Issue.record("expected overflow, got \(String(describing: listError))"); return }
        #expect(violations.map(\.field) == ["rooms[0]"])

        // A huge coefficient: the unit price itself does not fit.
        let huge = PricingFactors(floor: [FloorFactor(floor: 1, .coefficient(Coefficient(millionths: .max)))])
        let unitError = failure(PricingRun(rooms: [room], factors: huge, mode: .base(money("90000000000000.00"))))
        guard case .overflow = unitError else { Issue.record("expected overflow, got \(String(describing: unitError))"); return }

        // Each list price fits, their total does not.
        let rooms = (1...3).map { PricingRoom(id: roomID($0), basis: .unit, area: nil, floor: 1, stack: $0) }
        let totalError = failure(PricingRun(rooms: rooms, mode: .base(Money(minorUnits: Int64.max / 2 - 50))))
        #expect(totalError?.violations.map(\.field) == ["total"])

        // A solved base that does not fit: a tiny coefficient against a huge target.
        let tiny = PricingFactors(floor: [FloorFactor(floor: 1, .coefficient(Coefficient(millionths: 1)))])
        let baseError = failure(PricingRun(rooms: [room], factors: tiny, mode: .targetAverage(money("90000000000000.00"))))
        guard case .overflow(let baseViolations) = baseError else { Issue.record("expected overflow, got \(String(describing: baseError))"); return }
        #expect(baseViolations.map(\.field) == ["targetAverage"])
    }
}
