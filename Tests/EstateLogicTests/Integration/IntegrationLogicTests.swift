import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func area(_ text: String) -> Area { Area(text)! }

@Suite("Integration exports: periods, sales, vouchers, change diffs")
struct IntegrationLogicTests {
    @Test func periodsAreAMonthOrARangeOfWholeMonths() throws {
        let month = try #require(SalesPeriod("2026-11"))
        #expect(month.first == month.last && month.description == "2026-11")
        #expect(month.startDay.description == "2026-11-01" && month.endDay.description == "2026-11-30")
        let range = try #require(SalesPeriod("2025-12/2026-02"))
        #expect(range.startDay.description == "2025-12-01" && range.endDay.description == "2026-02-28")
        #expect(range.description == "2025-12/2026-02")
        #expect(SalesPeriod("2024-02")?.endDay.description == "2024-02-29")
        #expect(SalesPeriod("9999-12")?.endDay.description == "9999-12-31")
        // Backwards, too long, malformed.
        for bad in ["2026-03/2026-02", "2016-01/2026-01", "2026-13", "2026-1", "2026-01/", "/2026-01", "2026-01/2026-02/2026-03", ""] {
            #expect(SalesPeriod(bad) == nil, "\(bad)")
        }
        #expect(SalesPeriod("2016-02/2026-01") != nil)   // 120 months exactly
        // The shape alone: a backwards range has bounds but is no period.
        #expect(SalesPeriod.bounds("2026-03/2026-02").map { "\($0.first) \($0.last)" } == "2026-03 2026-02")
        #expect(SalesPeriod.bounds("2026-3") == nil)
    }

    @Test func monthsRoundTripThroughTheirIndex() {
        let month = YearMonth(year: 2026, month: 1)!
        #expect(month.index == 2026 * 12)
        #expect(YearMonth(index: month.index) == month)
        #expect(YearMonth(index: month.index - 1) == YearMonth(year: 2025, month: 12))
        #expect(YearMonth(index: -1) == nil)
    }

    @Test func soldIsContractedLessTerminated() {
        let sales = BuildingSales(contracted: SalesFigures(deals: 2, area: area("200.50"), revenue: money("3000000.01")),
                                  terminated: SalesFigures(deals: 1, area: area("100.25"), revenue: money("1000000.02")))
        #expect(sales.sold == SalesFigures(deals: 1, area: area("100.25"), revenue: money("1999999.99")))
        let onlyTerminated = BuildingSales(contracted: .zero, terminated: SalesFigures(deals: 1, area: area("90"), revenue: money("900000")))
        #expect(onlyTerminated.sold.revenue == money("-900000") && onlyTerminated.sold.deals == -1)
    }

    @Test func aCollectionDebitsTheMoneyAndCreditsWhatItPaid() throws {
        let lines = try VoucherLines.make(.collection, method: "transfer", amount: money("60000.00"), allocations: [
            (.downPayment, money("5000.00")), (.deposit, money("50000.00")), (.downPayment, money("3000.00")),
        ])
        #expect(lines == [
            VoucherLine(side: .debit, account: .bank, amount: money("60000.00")),
            VoucherLine(side: .credit, account: .buyerDeposit, receivableKind: .deposit, amount: money("50000.00")),
            VoucherLine(side: .credit, account: .buyerReceivable, receivableKind: .downPayment, amount: money("8000.00")),
            VoucherLine(side: .credit, account: .buyerCredit, amount: money("2000.00")),
        ])
        let totals = VoucherLines.totals(lines)
        #expect(totals.debit == totals.credit && totals.debit == money("60000.00"))
        // Cash goes to the cash account; a payment fully allocated has no credit line.
        let cash = try VoucherLines.make(.collection, method: "cash", amount: money("0.01"), allocations: [(.collectedForOthers, money("0.01"))])
        #expect(cash.map(\.account) == [.cash, .collectedForOthers])
    }

    @Test func voidsAndRefundsAreReversingEntries() throws {
        // A void takes money back off the lines (negative allocations) and the rest out of the credit.
        let void = try VoucherLines.make(.receiptVoid, method: "card", amount: money("1000.00"), allocations: [(.instalment, money("-700.00"))])
        #expect(void == [
            VoucherLine(side: .credit, account: .bank, amount: money("1000.00")),
            VoucherLine(side: .debit, account: .buyerReceivable, receivableKind: .instalment, amount: money("700.00")),
            VoucherLine(side: .debit, account: .buyerCredit, amount: money("300.00")),
        ])
        let refund = try VoucherLines.make(.refund, method: "transfer", amount: money("1200000.00"),
                                           allocations: [(.commercialLoan, money("-1000000.00"))])
        #expect(refund.map(\.account) == [.bank, .loanReceivable, .buyerCredit])
        #expect(refund.map(\.side) == [.credit, .debit, .debit])
        let totals = VoucherLines.totals(refund)
        #expect(totals.debit == totals.credit)
    }

    @Test func allocationsBeyondTheAmountAreRefused() {
        #expect(throws: VoucherError.self) {
            try VoucherLines.make(.collection, method: "cash", amount: money("10.00"), allocations: [(.deposit, money("10.01"))])
        }
        #expect(throws: VoucherError.self) { try VoucherLines.make(.refund, method: "cash", amount: .zero, allocations: []) }
    }

    @Test func voucherKindsOrderAndSides() {
        #expect(VoucherKind.allCases.map(\.rank) == [1, 2, 3])
        #expect(VoucherKind.collection.moneySide == .debit && VoucherKind.refund.moneySide == .credit)
        #expect(ReceivableKind.allCases.allSatisfy { VoucherAccount.receivable($0) != .cash && VoucherAccount.receivable($0) != .bank })
    }

    @Test func changesAreTheLeavesThatDiffer() {
        let before = SnapshotTree.object([
            "deal": .object([
                "id": .scalar("d1"), "version": .scalar("2"), "roomId": .scalar("r1"),
                "pricing": .object(["finalPrice": .scalar("1000000.00"), "discounts": .array([])]),
                "receivables": .array([.object(["id": .scalar("a"), "amount": .scalar("50000.00")]),
                                       .object(["id": .scalar("b"), "amount": .scalar("950000.00")])]),
                "endedReason": .null,
            ]),
        ])
        let after = SnapshotTree.object([
            "deal": .object([
                "id": .scalar("d1"), "version": .scalar("3"), "roomId": .scalar("r1"),
                "pricing": .object(["finalPrice": .scalar("980000.00"), "discounts": .array([.scalar("loyal")])]),
                "receivables": .array([.object(["id": .scalar("c"), "amount": .scalar("50000.00")]),
                                       .object(["id": .scalar("e"), "amount": .scalar("930000.00")])]),
                "endedReason": .scalar("mutual"),
            ]),
            "releasedToCredit": .scalar("0.00"),
        ])
        #expect(ChangeDiff.changes(before: before, after: after) == [
            FieldChange(path: "deal.endedReason", before: nil, after: "mutual"),
            FieldChange(path: "deal.pricing.discounts", before: "[]", after: nil),
            FieldChange(path: "deal.pricing.discounts[0]", before: nil, after: "loyal"),
            FieldChange(path: "deal.pricing.finalPrice", before: "1000000.00", after: "980000.00"),
            FieldChange(path: "deal.receivables[1].amount", before: "950000.00", after: "930000.00"),
            FieldChange(path: "releasedToCredit", before: nil, after: "0.00"),
        ])
        #expect(ChangeDiff.changes(before: before, after: before).isEmpty)
        #expect(ChangeDiff.changes(before: nil, after: .object(["a": .scalar("1")])) == [FieldChange(path: "a", before: nil, after: "1")])
    }

    @Test func handoverStagesStartAtTheHandoverToPropertyManagement() {
        #expect(PropertyHandover.stages == [.propertyHandedOver, .titleRegistered, .mortgageRegistered, .completed])
        #expect(!PropertyHandover.stages.contains(.keysHandedOver))
        #expect(PropertyHandover.step.stage == .propertyHandedOver)
    }
}
