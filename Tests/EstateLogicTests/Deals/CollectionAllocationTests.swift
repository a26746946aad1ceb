import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func date(_ text: String) -> LocalDate { LocalDate(text)! }

@Suite("Collections allocation")
struct CollectionAllocationTests {
    let deposit = ReceivableLine(id: UUID(), kind: .deposit, dueDate: date("2026-05-10"), amount: money("50000"), paid: money("50000"))
    let downPayment = ReceivableLine(id: UUID(), kind: .downPayment, dueDate: date("2026-05-17"), amount: money("250000"), paid: money("100000"))
    let fund = ReceivableLine(id: UUID(), kind: .collectedForOthers, dueDate: date("2026-05-17"), amount: money("3000"))
    let instalment = ReceivableLine(id: UUID(), kind: .instalment, dueDate: date("2026-09-10"), amount: money("350000"))
    /// Given newest first, to show that order of due dates decides.
    var lines: [ReceivableLine] { [instalment, downPayment, fund, deposit] }

    func fields(_ amount: String, _ chosen: [Allocation]) -> [String] {
        do {
            _ = try CollectionAllocation.allocate(money(amount), to: lines, as: chosen)
            return []
        } catch {
            return error.violations.map(\.field)
        }
    }

    @Test func oldestDueFirstTiesInLineOrder() throws {
        let result = try CollectionAllocation.allocate(money("200000"), to: lines)
        #expect(result.allocations == [Allocation(lineID: downPayment.id, amount: money("150000")),
                                       Allocation(lineID: fund.id, amount: money("3000")),
                                       Allocation(lineID: instalment.id, amount: money("47000"))])
        #expect(result.credit == .zero)
    }

    @Test func aPartialPaymentPaysPartOfTheOldestLine() throws {
        let result = try CollectionAllocation.allocate(money("0.01"), to: lines)
        #expect(result == CollectionAllocation(allocations: [Allocation(lineID: downPayment.id, amount: money("0.01"))], credit: .zero))
    }

    @Test func overpaymentBecomesCredit() throws {
        let result = try CollectionAllocation.allocate(money("600000.5"), to: lines)
        #expect(result.allocations.map(\.amount) == [money("150000"), money("3000"), money("350000")])
        #expect(result.credit == money("97000.50"))
        let nothingOpen = try CollectionAllocation.allocate(money("10"), to: [deposit])
        #expect(nothingOpen.allocations.isEmpty && nothingOpen.credit == money("10"))
        let refundLine = ReceivableLine(id: UUID(), kind: .areaSettlement, dueDate: date("2026-01-01"), amount: money("-5000"))
        #expect(try CollectionAllocation.allocate(money("10"), to: [refundLine]).credit == money("10"))
    }

    @Test func explicitAllocationsAreKeptAndTheRestIsCredit() throws {
        let chosen = [Allocation(lineID: instalment.id, amount: money("350000")), Allocation(lineID: fund.id, amount: money("1000"))]
        let result = try CollectionAllocation.allocate(money("400000"), to: lines, as: chosen)
        #expect(result.allocations == chosen && result.credit == money("49000"))
        #expect(try CollectionAllocation.allocate(money("351000"), to: lines, as: chosen).credit == .zero)
        #expect(try CollectionAllocation.allocate(money("5"), to: lines, as: []).credit == money("5"))
    }

    @Test func explicitAllocationsAreChecked() {
        #expect(fields("100", [Allocation(lineID: UUID(), amount: money("1"))]) == ["allocations[0].lineId"])
        #expect(fields("100", [Allocation(lineID: fund.id, amount: money("1")), Allocation(lineID: fund.id, amount: money("1"))])
                == ["allocations[1].lineId"])
        #expect(fields("100", [Allocation(lineID: fund.id, amount: .zero)]) == ["allocations[0].amount"])
        #expect(fields("5000", [Allocation(lineID: fund.id, amount: money("3000.01"))]) == ["allocations[0].amount"])
        #expect(fields("5000", [Allocation(lineID: deposit.id, amount: money("0.01"))]) == ["allocations[0].amount"])   // paid in full
        #expect(fields("150000", [Allocation(lineID: downPayment.id, amount: money("150000.01"))]) == ["allocations[0].amount"])
        #expect(fields("150000", [Allocation(lineID: downPayment.id, amount: money("150000"))]) == [])
        #expect(fields("2999.99", [Allocation(lineID: fund.id, amount: money("3000"))]) == ["allocations"])
        #expect(fields("0", []) == ["amount"])
        #expect(throws: DealInputError.self) { try CollectionAllocation.allocate(money("-1"), to: lines) }
    }
}

@Suite("Refund allocation")
struct RefundAllocationTests {
    let paid = ReceivableLine(id: UUID(), kind: .downPayment, dueDate: date("2026-05-17"), amount: money("250000"), paid: money("100000"))
    let unpaid = ReceivableLine(id: UUID(), kind: .instalment, dueDate: date("2026-09-10"), amount: money("350000"))

    func fields(_ amount: String, _ refund: RefundAllocation, credit: String = "500") -> [String] {
        refund.violations(amount: money(amount), lines: [paid, unpaid], credit: money(credit)).map(\.field)
    }

    @Test func aRefundTakesBackCollectedMoneyAndCredit() {
        #expect(fields("100500", RefundAllocation(allocations: [Allocation(lineID: paid.id, amount: money("100000"))], fromCredit: money("500"))) == [])
        #expect(fields("500", RefundAllocation(allocations: [], fromCredit: money("500"))) == [])
        #expect(fields("1", RefundAllocation(allocations: [Allocation(lineID: paid.id, amount: money("1"))])) == [])
    }

    @Test func aRefundIsCheckedAgainstWhatWasCollected() {
        #expect(fields("100000.01", RefundAllocation(allocations: [Allocation(lineID: paid.id, amount: money("100000.01"))]))
                == ["allocations[0].amount"])
        #expect(fields("1", RefundAllocation(allocations: [Allocation(lineID: unpaid.id, amount: money("1"))])) == ["allocations[0].amount"])
        #expect(fields("501", RefundAllocation(allocations: [], fromCredit: money("501"))) == ["fromCredit"])
        #expect(fields("1", RefundAllocation(allocations: [], fromCredit: money("-1"))) == ["fromCredit"])
        #expect(fields("2", RefundAllocation(allocations: [Allocation(lineID: paid.id, amount: money("1"))])) == ["allocations"])
        #expect(fields("1", RefundAllocation(allocations: [Allocation(lineID: paid.id, amount: money("1"))], fromCredit: money("1")))
                == ["allocations"])
        #expect(fields("0", RefundAllocation(allocations: [])) == ["amount"])
        #expect(fields("1", RefundAllocation(allocations: [Allocation(lineID: UUID(), amount: money("1"))])) == ["allocations[0].lineId"])
    }
}
