import EstateLogic
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func area(_ text: String) -> Area { Area(text)! }

@Suite("Area settlement")
struct AreaSettlementTests {
    /// 100 m² contracted at 20,000.00 per m² (total 2,000,000.00).
    func settle(_ actual: String, price: ContractPrice = .perSquareMetre(money("20000"))) throws -> AreaSettlement {
        try AreaSettlement.compute(contractedArea: area("100"), actualArea: area(actual), price: price)
    }

    @Test func largerBeyondTheBandPaysForThreePercentOnly() throws {
        let settlement = try settle("105")
        #expect(settlement.amount == money("60000.00"))
        #expect(settlement.withinBand == money("60000.00"))
        #expect(settlement.beyondBand == .zero)
        #expect(settlement.difference == area("5"))
        #expect(settlement.differenceRatio == Coefficient("0.05"))
        #expect(settlement.buyerMayCancel)
    }

    @Test func smallerBeyondTheBandRefundsTheRestAtDouble() throws {
        let settlement = try settle("95")
        #expect(settlement.amount == money("-140000.00"))     // 3 m² at 20,000 + 2 m² at 40,000
        #expect(settlement.withinBand == money("-60000.00"))
        #expect(settlement.beyondBand == money("-80000.00"))
        #expect(settlement.difference == area("-5"))
        #expect(settlement.differenceRatio == Coefficient("-0.05"))
        #expect(settlement.buyerMayCancel)
    }

    @Test func exactlyThreePercentIsInsideTheBand() throws {
        let larger = try settle("103")
        #expect(larger.amount == money("60000.00") && larger.beyondBand == .zero && !larger.buyerMayCancel)
        let smaller = try settle("97")
        #expect(smaller.amount == money("-60000.00") && smaller.beyondBand == .zero && !smaller.buyerMayCancel)
        // One hundredth of m² more is beyond it.
        let justOver = try settle("103.01")
        #expect(justOver.amount == money("60000.00") && justOver.buyerMayCancel)
        let justUnder = try settle("96.99")
        #expect(justUnder.withinBand == money("-60000.00") && justUnder.beyondBand == money("-400.00"))
        #expect(justUnder.amount == money("-60400.00") && justUnder.buyerMayCancel)
    }

    @Test func withinTheBandIsSettledAtTheContractPrice() throws {
        #expect(try settle("101.5").amount == money("30000.00"))
        #expect(try settle("98.25").amount == money("-35000.00"))
        #expect(try settle("100.01").amount == money("200.00"))
        let settlement = try settle("102.99")
        #expect(settlement.beyondBand == .zero && !settlement.buyerMayCancel)
    }

    @Test func noDifferenceSettlesNothing() throws {
        let settlement = try settle("100")
        #expect(settlement.amount == .zero && settlement.withinBand == .zero && settlement.beyondBand == .zero)
        #expect(settlement.difference == .zero && settlement.differenceRatio == .zero && !settlement.buyerMayCancel)
    }

    @Test func totalAndUnitPriceAgreeWhenTheUnitPriceIsExact() throws {
        for actual in ["105", "95", "103", "97", "100.37", "99.99", "120", "80"] {
            #expect(try settle(actual) == settle(actual, price: .total(money("2000000"))), "\(actual)")
        }
    }

    /// 89.57 m² for 1,234,567.89: the unit price is 13,783.2744... per m², 13,783.27 rounded.
    @Test func oddFiguresAreSettledFromTheTotalWithOneRounding() throws {
        let price = ContractPrice.total(money("1234567.89"))
        func settle(_ actual: String) throws -> AreaSettlement {
            try AreaSettlement.compute(contractedArea: area("89.57"), actualArea: area(actual), price: price)
        }
        #expect(AreaSettlement.unitPrice(totalPrice: money("1234567.89"), contractedArea: area("89.57")) == money("13783.27"))

        // +1.66 m²: 1,234,567.89 × 1.66 / 89.57 = 22,880.2355... → 22,880.24, where the rounded unit
        // price would give 13,783.27 × 1.66 = 22,880.2282 → 22,880.23, a cent short.
        let small = try settle("91.23")
        #expect(small.amount == money("22880.24"))
        #expect(small.withinBand == money("22880.24") && small.beyondBand == .zero && !small.buyerMayCancel)
        #expect(small.differenceRatio == Coefficient("0.018533"))
        #expect(try AreaSettlement.compute(contractedArea: area("89.57"), actualArea: area("91.23"),
                                           price: .perSquareMetre(money("13783.27"))).amount == money("22880.23"))

        // The band edge is 2.6871 m²: +2.68 m² is inside, +2.69 m² is beyond.
        let inside = try settle("92.25")
        #expect(inside.amount == money("36939.18") && !inside.buyerMayCancel)
        let beyond = try settle("92.26")
        #expect(beyond.amount == money("37037.04") && beyond.buyerMayCancel)   // 3 % of the total, rounded once
        // −2.69 m²: 3 % refunded at the price, 0.0029 m² at double.
        let shortBeyond = try settle("86.88")
        #expect(shortBeyond.withinBand == money("-37037.04") && shortBeyond.beyondBand == money("-79.94"))
        #expect(shortBeyond.amount == money("-37116.98") && shortBeyond.buyerMayCancel)
        #expect(shortBeyond.differenceRatio == Coefficient("-0.030032"))
        // −3.57 m².
        let farShort = try settle("86")
        #expect(farShort.withinBand == money("-37037.04") && farShort.beyondBand == money("-24338.51"))
        #expect(farShort.amount == money("-61375.55"))
        // +3.43 m²: 3 % of the price, the rest free.
        #expect(try settle("93").amount == money("37037.04"))
    }

    @Test func halfACentRoundsAwayFromZeroOnBothSides() throws {
        // 0.01 m² at 0.50 per m² is half a cent.
        let up = try AreaSettlement.compute(contractedArea: area("100"), actualArea: area("100.01"), price: .perSquareMetre(money("0.5")))
        #expect(up.amount == money("0.01"))
        let down = try AreaSettlement.compute(contractedArea: area("100"), actualArea: area("99.99"), price: .perSquareMetre(money("0.5")))
        #expect(down.amount == money("-0.01"))
        let under = try AreaSettlement.compute(contractedArea: area("100"), actualArea: area("100.01"), price: .perSquareMetre(money("0.49")))
        #expect(under.amount == .zero)
    }

    @Test func anotherBandFromTheContract() throws {
        let settlement = try AreaSettlement.compute(contractedArea: area("100"), actualArea: area("98"),
                                                    price: .perSquareMetre(money("10000")), bandBasisPoints: 100)
        #expect(settlement.withinBand == money("-10000.00") && settlement.beyondBand == money("-20000.00"))
        #expect(settlement.buyerMayCancel)
    }

    @Test func refusesBadInput() {
        func fields(contracted: Area, actual: Area, price: ContractPrice = .total(money("1")), band: Int = 300) -> [String] {
            do {
                _ = try AreaSettlement.compute(contractedArea: contracted, actualArea: actual, price: price, bandBasisPoints: band)
                return []
            } catch {
                return error.violations.map(\.field)
            }
        }
        #expect(fields(contracted: .zero, actual: area("1")) == ["contractedArea"])
        #expect(fields(contracted: area("1"), actual: area("-1")) == ["actualArea"])
        #expect(fields(contracted: area("100000.01"), actual: area("1")) == ["contractedArea"])
        #expect(fields(contracted: area("1"), actual: area("1"), price: .perSquareMetre(money("-0.01"))) == ["price"])
        #expect(fields(contracted: area("1"), actual: area("1"), band: 10_001) == ["bandBasisPoints"])
        #expect(fields(contracted: area("1"), actual: area("1"), price: .total(Money(minorUnits: .max)), band: 10_000) == [])
        #expect(fields(contracted: area("0.01"), actual: area("100000"), price: .total(Money(minorUnits: .max)), band: 10_000) == [])
        #expect(fields(contracted: area("100000"), actual: area("0.01"), price: .perSquareMetre(Money(minorUnits: .max)), band: 10_000)
                == ["actualArea"])
        #expect(AreaSettlement.unitPrice(totalPrice: money("1"), contractedArea: .zero) == nil)
    }
}
