import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func date(_ text: String) -> LocalDate { LocalDate(text)! }

@Suite("Collections at the desk: loans, refunds, voids")
struct CollectionRulesTests {
    let deposit = ReceivableLine(id: UUID(), kind: .deposit, dueDate: date("2026-05-10"), amount: money("20000"), paid: money("20000"))
    let downPayment = ReceivableLine(id: UUID(), kind: .downPayment, dueDate: date("2026-05-17"), amount: money("130000"), paid: money("30000"))
    let loan = ReceivableLine(id: UUID(), kind: .commercialLoan, dueDate: date("2026-05-01"), amount: money("350000"))
    let fund = ReceivableLine(id: UUID(), kind: .providentFundLoan, dueDate: date("2026-05-02"), amount: money("100000"))
    var lines: [ReceivableLine] { [deposit, downPayment, loan, fund] }

    @Test func oldestFirstLeavesLoanLinesToTheirLenders() throws {
        // The loans fall due first, yet the buyer's money goes to the buyer's line and then to credit.
        let result = try CollectionAllocation.collect(money("150000"), on: lines)
        #expect(result.allocations == [Allocation(lineID: downPayment.id, amount: money("100000"))])
        #expect(result.credit == money("50000"))
    }

    @Test func mortgageFundsNameTheirLoanLine() throws {
        let result = try CollectionAllocation.collect(money("350000"), on: lines, as: [Allocation(lineID: loan.id, amount: money("350000"))])
        #expect(result.allocations == [Allocation(lineID: loan.id, amount: money("350000"))] && result.credit == .zero)
        #expect(throws: DealInputError.self) {
            try CollectionAllocation.collect(money("1"), on: lines, as: [Allocation(lineID: loan.id, amount: money("350000.01"))])
        }
    }

    @Test func refundsTakeTheCreditFirst() throws {
        let fromCredit = try RefundAllocation.creditFirst(money("500"), lines: lines, credit: money("800"), as: nil)
        #expect(fromCredit == RefundAllocation(allocations: [], fromCredit: money("500")))
        let both = try RefundAllocation.creditFirst(money("1000"), lines: lines, credit: money("800"),
                                                    as: [Allocation(lineID: deposit.id, amount: money("200"))])
        #expect(both == RefundAllocation(allocations: [Allocation(lineID: deposit.id, amount: money("200"))], fromCredit: money("800")))
        let noCredit = try RefundAllocation.creditFirst(money("20000"), lines: lines, credit: .zero,
                                                        as: [Allocation(lineID: deposit.id, amount: money("20000"))])
        #expect(noCredit.fromCredit == .zero && noCredit.allocations.count == 1)
    }

    @Test func refundRefusals() {
        func fields(_ amount: String, credit: String, _ chosen: [Allocation]?) -> [String] {
            do {
                _ = try RefundAllocation.creditFirst(money(amount), lines: lines, credit: money(credit), as: chosen)
                return []
            } catch {
                return error.violations.map(\.field)
            }
        }
        // Beyond the credit without naming lines; naming lines while the credit covers it all.
        #expect(fields("1000", credit: "800", nil) == ["allocations"])
        #expect(fields("1000", credit: "800", []) == ["allocations"])
        #expect(fields("500", credit: "800", [Allocation(lineID: deposit.id, amount: money("500"))]) == ["allocations"])
        // Named lines must add up to the rest, each at most what was collected on it.
        #expect(fields("1000", credit: "800", [Allocation(lineID: deposit.id, amount: money("300"))]) == ["allocations"])
        #expect(fields("40000", credit: "0", [Allocation(lineID: downPayment.id, amount: money("40000"))]) == ["allocations[0].amount"])
        #expect(fields("1", credit: "0", [Allocation(lineID: loan.id, amount: money("1"))]) == ["allocations[0].amount"])
        #expect(fields("0", credit: "0", nil) == ["amount"])
    }

    @Test func aVoidTakesTheMoneyBackFromItsLinesThenTheCredit() throws {
        let paid = [Allocation(lineID: downPayment.id, amount: money("30000"))]
        let whole = try CollectionReversal.reverse(money("35000"), paid: paid, lines: lines, credit: money("5000"))
        #expect(whole == CollectionReversal(fromLines: paid, fromCredit: money("5000")))
        // The line was partly refunded since, but credit covers the rest.
        var refunded = downPayment
        refunded.paid = money("10000")
        let partly = try CollectionReversal.reverse(money("35000"), paid: paid, lines: [deposit, refunded], credit: money("30000"))
        #expect(partly == CollectionReversal(fromLines: [Allocation(lineID: downPayment.id, amount: money("10000"))], fromCredit: money("25000")))
        // Money gone: refused with what is missing.
        #expect(throws: CollectionReversalError.moneyMoved(missing: money("20000"))) {
            try CollectionReversal.reverse(money("35000"), paid: paid, lines: [deposit, refunded], credit: money("5000"))
        }
        // A line paid twice by one collection gives back once, summed.
        let twice = try CollectionReversal.reverse(money("20000"), paid: [Allocation(lineID: deposit.id, amount: money("15000")),
                                                                            Allocation(lineID: deposit.id, amount: money("5000"))],
                                                   lines: lines, credit: .zero)
        #expect(twice.fromLines == [Allocation(lineID: deposit.id, amount: money("20000"))])
    }

    @Test func theRateOfTheDayIsTheLatestWithinAWeekBefore() {
        let friday = date("2026-11-27")
        #expect(ExchangeRate.applies(rateDate: friday, to: friday))
        #expect(ExchangeRate.applies(rateDate: friday, to: date("2026-11-29")))
        #expect(ExchangeRate.applies(rateDate: friday, to: date("2026-12-04")))     // 7 days
        #expect(!ExchangeRate.applies(rateDate: friday, to: date("2026-12-05")))    // 8 days: stale
        #expect(!ExchangeRate.applies(rateDate: friday, to: date("2026-11-26")))    // not yet published
    }

    @Test func receiptPrefixesFromProjectCodes() {
        #expect(ReceiptNumber.prefix(forProjectCode: "riverside") == "RIVERSIDE")
        #expect(ReceiptNumber.prefix(forProjectCode: "sh-01") == "SH01")
        #expect(ReceiptNumber.prefix(forProjectCode: "2nd-tower") == "R2NDTOWER")
        #expect(ReceiptNumber.prefix(forProjectCode: "lakeside-towers-phase-2") == "LAKESIDETO")
        #expect(ReceiptNumber.prefix(forProjectCode: "1234567890123") == "R123456789")
        #expect(ReceiptNumber.prefix(forProjectCode: "--") == "R")
        for code in ["riverside", "sh-01", "2nd-tower", "1234567890123", "--", "a"] {
            #expect(ReceiptNumber.isValidPrefix(ReceiptNumber.prefix(forProjectCode: code)), "\(code)")
        }
    }

    @Test func limits() {
        #expect(MoneyLimits.violations(money("0.01"), field: "amount").isEmpty)
        #expect(MoneyLimits.violations(money("9999999999.99"), field: "amount").isEmpty)
        #expect(MoneyLimits.violations(money("10000000000"), field: "amount").map(\.field) == ["amount"])
        #expect(MoneyLimits.violations(.zero, field: "x").map(\.field) == ["x"])
    }
}

@Suite("Collection forecast and arrears")
struct CollectionForecastTests {
    @Test func months() {
        let november = YearMonth("2026-11")!
        #expect(november.description == "2026-11" && november.firstDay == LocalDate("2026-11-01"))
        #expect(november.adding(months: 2) == YearMonth("2027-01") && november.adding(months: -11) == YearMonth("2025-12"))
        #expect(YearMonth(LocalDate("2026-02-28")!) == YearMonth("2026-02"))
        for bad in ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-1a", "0000-01"] { #expect(YearMonth(bad) == nil, "\(bad)") }
        #expect(YearMonth("0001-01")!.adding(months: -1) == nil)
    }

    @Test func bucketsByMonthWithMortgageArrivalsApart() {
        let open: [OpenAmount] = [
            OpenAmount(kind: .downPayment, month: YearMonth("2026-10")!, open: Money(yuan: 5)),
            OpenAmount(kind: .commercialLoan, month: YearMonth("2026-09")!, open: Money(yuan: 7)),
            OpenAmount(kind: .instalment, month: YearMonth("2026-11")!, open: Money(yuan: 100)),
            OpenAmount(kind: .areaSettlement, month: YearMonth("2026-11")!, open: Money(yuan: 1)),
            OpenAmount(kind: .commercialLoan, month: YearMonth("2026-12")!, open: Money(yuan: 300)),
            OpenAmount(kind: .providentFundLoan, month: YearMonth("2026-12")!, open: Money(yuan: 200)),
            OpenAmount(kind: .instalment, month: YearMonth("2027-02")!, open: Money(yuan: 9)),
            OpenAmount(kind: .instalment, month: YearMonth("2026-12")!, open: .zero),
        ]
        let forecast = CollectionForecast.make(from: YearMonth("2026-11")!, months: 3, open: open)
        #expect(forecast.months.map(\.month.description) == ["2026-11", "2026-12", "2027-01"])
        #expect(forecast.months.map(\.amounts.buyers) == [Money(yuan: 101), .zero, .zero])
        #expect(forecast.months[1].amounts.mortgageArrivals == Money(yuan: 500) && forecast.months[1].amounts.total == Money(yuan: 500))
        #expect(forecast.months[1].amounts.providentFund == Money(yuan: 200))
        #expect(forecast.overdue == ForecastAmounts(buyers: Money(yuan: 5), commercialLenders: Money(yuan: 7)))
        #expect(forecast.later == ForecastAmounts(buyers: Money(yuan: 9)))
        // Everything open is somewhere, once.
        let total = forecast.months.reduce(forecast.overdue.total + forecast.later.total) { $0 + $1.amounts.total }
        #expect(total == open.reduce(.zero) { $0 + $1.open })
    }

    @Test func daysOverdue() {
        let line = ReceivableLine(id: UUID(), kind: .downPayment, dueDate: LocalDate("2026-11-20")!, amount: Money(yuan: 10), paid: Money(yuan: 4))
        #expect(line.daysOverdue(asOf: LocalDate("2026-11-20")!) == nil)
        #expect(line.daysOverdue(asOf: LocalDate("2026-11-21")!) == 1)
        #expect(line.daysOverdue(asOf: LocalDate("2027-01-01")!) == 42)
        var paid = line
        paid.paid = Money(yuan: 10)
        #expect(paid.daysOverdue(asOf: LocalDate("2027-01-01")!) == nil)
    }
}
