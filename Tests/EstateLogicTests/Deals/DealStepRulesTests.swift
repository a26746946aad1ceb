import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func area(_ text: String) -> Area { Area(text)! }
private func day(_ text: String) -> LocalDate { LocalDate(text)! }
private func line(_ kind: ReceivableKind, _ amount: String, paid: String = "0", due: String = "2026-03-01") -> ReceivableLine {
    ReceivableLine(id: UUID(), kind: kind, dueDate: day(due), amount: money(amount), paid: money(paid))
}

@Suite("Deal step rules")
struct DealStepRulesTests {
    @Test func aStepIsDatedFromThePreviousStepUpToToday() {
        let today = day("2026-11-28")
        #expect(DealStepRules.dateViolations(day("2026-11-28"), today: today, notBefore: day("2026-11-28")).isEmpty)
        #expect(DealStepRules.dateViolations(day("2026-01-01"), today: today, notBefore: nil).isEmpty)
        #expect(DealStepRules.dateViolations(day("2026-11-29"), today: today, notBefore: nil).map(\.field) == ["date"])
        let early = DealStepRules.dateViolations(day("2026-10-01"), field: "filedOn", today: today, notBefore: day("2026-10-02"),
                                                 what: "the contract's date")
        #expect(early.map(\.field) == ["filedOn"] && early[0].message.contains("2026-10-02, the contract's date"))
    }

    @Test func mortgageAmountsMustBeTheSchedulesLoans() {
        let lines = [line(.deposit, "100000"), line(.downPayment, "400000"), line(.commercialLoan, "300000"),
                     line(.providentFundLoan, "200000", paid: "200000")]
        #expect(DealStepRules.loanTotal(lines) == money("500000"))
        #expect(DealStepRules.mortgageAmountViolation(money("500000.00"), field: "loanAmount", lines: lines) == nil)
        #expect(DealStepRules.mortgageAmountViolation(money("499999.99"), field: "approvedAmount", lines: lines)?.field == "approvedAmount")
        #expect(DealStepRules.loanTotal([line(.downPayment, "1")]) == .zero)
    }

    @Test func theContractedAreaIsTheAreaThePriceIsPer() {
        func room(_ basis: PricingBasis, _ areas: RoomAreas) -> RoomAttributes {
            RoomAttributes(number: "101", floor: 1, stack: 1, areas: areas, pricingBasis: basis)
        }
        let forecast = RoomAreas(builtForecast: area("100"), internalForecast: area("85.5"))
        #expect(DealStepRules.contractedArea(of: room(.builtArea, forecast)) == area("100"))
        #expect(DealStepRules.contractedArea(of: room(.internalArea, forecast)) == area("85.5"))
        #expect(DealStepRules.contractedArea(of: room(.unit, forecast)) == area("100"))
        // Surveyed before the contract (sold after completion): the actual area.
        #expect(DealStepRules.contractedArea(of: room(.builtArea, RoomAreas(builtForecast: area("100"), builtActual: area("99")))) == area("99"))
        #expect(DealStepRules.contractedArea(of: room(.internalArea, RoomAreas(builtForecast: area("100")))) == nil)
        #expect(DealStepRules.contractedArea(of: room(.unit, RoomAreas())) == nil)
    }

    @Test func aRoomPricedPerUnitSettlesNothing() throws {
        #expect(try DealStepRules.settlement(basis: .unit, contractedArea: area("12.5"), actualArea: area("14"), finalPrice: money("200000")) == nil)
        let settled = try #require(try DealStepRules.settlement(basis: .builtArea, contractedArea: area("100"), actualArea: area("95"),
                                                                finalPrice: money("2000000")))
        #expect(settled.amount == money("-140000.00") && settled.buyerMayCancel)
        #expect(throws: DealInputError.self) {
            try DealStepRules.settlement(basis: .internalArea, contractedArea: area("100"), actualArea: .zero, finalPrice: money("1"))
        }
    }

    @Test func referencesAndNotes() {
        #expect(DealStepText.isReference("HT-2026-0001", maximum: 64))
        #expect(DealStepText.isReference("沪(2026)预字第0102号", maximum: 64))
        #expect(DealStepText.isReference("A B", maximum: 64))
        #expect(DealStepText.isReference(String(repeating: "号", count: 64), maximum: 64))
        #expect(!DealStepText.isReference(String(repeating: "号", count: 65), maximum: 64))
        #expect(!DealStepText.isReference("", maximum: 64))
        #expect(!DealStepText.isReference(" HT", maximum: 64))
        #expect(!DealStepText.isReference("HT ", maximum: 64))
        #expect(!DealStepText.isReference("HT\n1", maximum: 64))
        #expect(!DealStepText.isReference("HT\u{85}1", maximum: 64))
        #expect(DealStepText.isNote("Keys to both buyers.\nMeter readings taken."))
        #expect(DealStepText.isNote(" "))
        #expect(!DealStepText.isNote(""))
        #expect(!DealStepText.isNote("bell\u{7}"))
        #expect(!DealStepText.isNote(String(repeating: "x", count: 501)))
    }
}

@Suite("Deal tasks")
struct DealTaskPlanTests {
    @Test func paymentTasksForTheBuyersOpenLines() {
        let deposit = line(.deposit, "50000", paid: "50000", due: "2026-01-01")
        let down = line(.downPayment, "150000", paid: "50000", due: "2026-01-08")
        let loan = line(.commercialLoan, "300000", due: "2026-04-01")
        let settlement = line(.areaSettlement, "60000", due: "2026-06-01")
        let empty = line(.instalment, "0")
        let superseded = UUID()
        let plan = DealTaskPlan.payments(current: [deposit, down, loan, settlement, empty], superseded: [superseded], roomNumber: "1203")
        #expect(plan.open.map(\.source) == [.receivable(down.id), .receivable(settlement.id)])
        #expect(plan.open.map(\.dueOn) == [day("2026-01-08"), day("2026-06-01")])
        #expect(plan.open.allSatisfy { $0.kind == .paymentDue })
        #expect(plan.open.map(\.title) == ["Room 1203: down payment of 100000.00 due", "Room 1203: area settlement of 60000.00 due"])
        #expect(plan.paid == [.receivable(deposit.id)])
        #expect(plan.superseded == [.receivable(superseded)])
    }

    @Test func contractAndMortgageTasks() {
        let deal = UUID()
        let deadline = DealTaskPlan.contractDeadline(dealID: deal, deadline: day("2026-12-28"), roomNumber: nil)
        #expect(deadline.kind == .contractDeadline && deadline.dueOn == day("2026-12-28") && deadline.source == .contractDeadline(dealID: deal))
        #expect(deadline.title == "sign the purchase contract by 2026-12-28")
        let documents = DealTaskPlan.mortgageDocuments(dealID: deal, bank: "ICBC", appliedOn: day("2026-12-30"), roomNumber: "101")
        #expect(documents.kind == .mortgageDocuments && documents.dueOn == day("2027-01-06") && documents.title == "Room 101: mortgage documents for ICBC")
        #expect(DealTaskPlan.finished(by: .contract, dealID: deal) == [.contractDeadline(dealID: deal)])
        #expect(DealTaskPlan.finished(by: .approveMortgage, dealID: deal) == [.mortgageDocuments(dealID: deal)])
        #expect(DealTaskPlan.finished(by: .inspect, dealID: deal).isEmpty)
        #expect(Set([TaskSource.contractDeadline(dealID: deal), .mortgageDocuments(dealID: deal)].map(\.type)) == Set(TaskSource.dealTypes))
    }
}
