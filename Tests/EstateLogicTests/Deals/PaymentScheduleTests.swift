import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }
private func date(_ text: String) -> LocalDate { LocalDate(text)! }

/// A line as `kind date amount`, for compact expectations.
private func describe(_ schedule: PaymentSchedule) -> [String] {
    schedule.lines.map { "\($0.kind.rawValue) \($0.dueDate) \($0.amount)" }
}

private func total(_ lines: [ScheduleLine]) -> Money { lines.reduce(.zero) { $0 + $1.amount } }

private func fields(price: Money = money("1000000"), deposit: Money = money("50000"), _ terms: PaymentTerms,
                    rules: PaymentRules = .standard) -> [String] {
    PaymentSchedule.violations(price: price, deposit: deposit, terms: terms, rules: rules).map(\.field)
}

@Suite("Payment schedules")
struct PaymentScheduleTests {
    let subscribed = date("2026-05-10")

    @Test func fullPayment() throws {
        let schedule = try PaymentSchedule.generate(price: money("1000000"), deposit: money("50000"), subscriptionDate: subscribed,
                                                    terms: .fullPayment(dueDays: 7))
        #expect(schedule.method == .fullPayment && schedule.price == money("1000000"))
        #expect(describe(schedule) == ["deposit 2026-05-10 50000.00", "down_payment 2026-05-17 950000.00"])
    }

    @Test func zeroLinesAreLeftOut() throws {
        let noDeposit = try PaymentSchedule.generate(price: money("800000"), deposit: .zero, subscriptionDate: subscribed, terms: .fullPayment())
        #expect(describe(noDeposit) == ["down_payment 2026-05-17 800000.00"])
        let allDeposit = try PaymentSchedule.generate(price: money("800000"), deposit: money("800000"), subscriptionDate: subscribed,
                                                      terms: .fullPayment())
        #expect(describe(allDeposit) == ["deposit 2026-05-10 800000.00"])
        let mortgage = try PaymentSchedule.generate(price: money("1000000"), deposit: money("300000"), subscriptionDate: subscribed,
                                                    terms: .mortgage(.commercialMortgage, commercialLoan: money("700000")))
        #expect(describe(mortgage) == ["deposit 2026-05-10 300000.00", "commercial_loan 2026-08-08 700000.00"])
    }

    @Test func instalmentsTakeTheRemainderOnTheLastLine() throws {
        // 30 % of 1,000,000.01 is 300,000.003 → 300,000.00; the rest 700,000.01 in three.
        let schedule = try PaymentSchedule.generate(price: money("1000000.01"), deposit: money("20000"), subscriptionDate: subscribed,
                                                    terms: .instalments(downPaymentRatio: 3000, count: 3, intervalMonths: 4))
        #expect(describe(schedule) == [
            "deposit 2026-05-10 20000.00", "down_payment 2026-05-17 280000.00",
            "instalment 2026-09-10 233333.33", "instalment 2027-01-10 233333.33", "instalment 2027-05-10 233333.35",
        ])
        #expect(total(schedule.lines) == money("1000000.01"))
    }

    @Test func instalmentDatesStayOnTheDayOrTheMonthsEnd() throws {
        let schedule = try PaymentSchedule.generate(price: money("1000"), deposit: .zero, subscriptionDate: date("2027-01-31"),
                                                    terms: .instalments(downPaymentRatio: 5000, count: 4, intervalMonths: 1, downPaymentDueDays: 0))
        #expect(schedule.lines.map(\.dueDate.description) == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"])
        let leap = try PaymentSchedule.generate(price: money("1000"), deposit: .zero, subscriptionDate: date("2027-08-31"),
                                                terms: .instalments(downPaymentRatio: 5000, count: 1, intervalMonths: 6))
        #expect(leap.lines.last?.dueDate == date("2028-02-29"))
    }

    @Test func downPaymentRatioRoundsHalfAwayFromZero() throws {
        // 1,234,567.89 × 33.33 % = 411,481.4777... → 411,481.48; 0.15 × 50 % = 0.075 → 0.08.
        let odd = try PaymentSchedule.generate(price: money("1234567.89"), deposit: .zero, subscriptionDate: subscribed,
                                               terms: .instalments(downPaymentRatio: 3333, count: 7, intervalMonths: 2))
        #expect(odd.lines.first?.amount == money("411481.48"))
        #expect(odd.lines.dropFirst().map(\.amount) == Array(repeating: money("117583.77"), count: 6) + [money("117583.79")])
        #expect(total(odd.lines) == money("1234567.89"))
        let tiny = try PaymentSchedule.generate(price: money("0.15"), deposit: .zero, subscriptionDate: subscribed,
                                                terms: .instalments(downPaymentRatio: 5000, count: 7, intervalMonths: 1))
        #expect(tiny.lines.map(\.amount.minorUnits) == [8, 1, 1, 1, 1, 1, 1, 1])
    }

    @Test func commercialMortgage() throws {
        let schedule = try PaymentSchedule.generate(price: money("2000000"), deposit: money("50000"), subscriptionDate: subscribed,
                                                    terms: .mortgage(.commercialMortgage, commercialLoan: money("1400000"), loanDueDays: 60))
        #expect(describe(schedule) == ["deposit 2026-05-10 50000.00", "down_payment 2026-05-17 550000.00",
                                       "commercial_loan 2026-07-09 1400000.00"])
    }

    @Test func providentFundMortgage() throws {
        let schedule = try PaymentSchedule.generate(price: money("1000000"), deposit: money("30000"), subscriptionDate: subscribed,
                                                    terms: .mortgage(.providentFundMortgage, providentFundLoan: money("800000")))
        #expect(describe(schedule) == ["deposit 2026-05-10 30000.00", "down_payment 2026-05-17 170000.00",
                                       "provident_fund_loan 2026-08-08 800000.00"])
    }

    @Test func combinedMortgage() throws {
        let schedule = try PaymentSchedule.generate(price: money("2000000.55"), deposit: money("100000"), subscriptionDate: subscribed,
                                                    terms: .mortgage(.combinedMortgage, commercialLoan: money("600000"),
                                                                     providentFundLoan: money("600000")))
        #expect(describe(schedule) == ["deposit 2026-05-10 100000.00", "down_payment 2026-05-17 700000.55",
                                       "commercial_loan 2026-08-08 600000.00", "provident_fund_loan 2026-08-08 600000.00"])
    }

    @Test(arguments: [
        PaymentTerms.fullPayment(dueDays: 0),
        .instalments(downPaymentRatio: 3000, count: 60, intervalMonths: 1),
        .instalments(downPaymentRatio: 9999, count: 1, intervalMonths: 12),
        .instalments(downPaymentRatio: 4567, count: 11, intervalMonths: 3),
        .mortgage(.commercialMortgage, commercialLoan: money("2589213.33")),
        .mortgage(.providentFundMortgage, providentFundLoan: money("1200000")),
        .mortgage(.combinedMortgage, commercialLoan: money("1000000.01"), providentFundLoan: money("1000000.02")),
    ])
    func everyMethodSumsExactlyToThePrice(terms: PaymentTerms) throws {
        for price in [money("3698876.19"), money("3700000"), money("4000000.03")] {
            let schedule = try PaymentSchedule.generate(price: price, deposit: money("99999.99"), subscriptionDate: subscribed, terms: terms)
            #expect(total(schedule.lines) == price)
            #expect(schedule.lines.allSatisfy { $0.amount > .zero && $0.dueDate >= subscribed })
            #expect(schedule.lines.first?.kind == .deposit)
            #expect(schedule.lines.contains { $0.kind == .commercialLoan } == terms.method.usesCommercialLoan)
            #expect(schedule.lines.contains { $0.kind == .providentFundLoan } == terms.method.usesProvidentFundLoan)
        }
    }

    @Test func refusesBadPricesDepositsAndDays() {
        #expect(fields(price: .zero, deposit: .zero, .fullPayment()) == ["price"])
        #expect(fields(deposit: money("-0.01"), .fullPayment()) == ["deposit"])
        #expect(fields(deposit: money("1000000.01"), .fullPayment()) == ["deposit"])
        #expect(fields(deposit: money("1000000"), .fullPayment()) == [])
        #expect(fields(.fullPayment(dueDays: -1)) == ["terms.downPaymentDueDays"])
        #expect(fields(.fullPayment(dueDays: 367)) == ["terms.downPaymentDueDays"])
        #expect(fields(.fullPayment(dueDays: 366)) == [])
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("1"), loanDueDays: 400)) == ["terms.loanDueDays"])
    }

    @Test func refusesBadInstalments() {
        #expect(fields(PaymentTerms(method: .instalments))
                == ["terms.downPaymentRatio", "terms.instalmentCount", "terms.instalmentIntervalMonths"])
        #expect(fields(.instalments(downPaymentRatio: 2999, count: 2, intervalMonths: 1)) == ["terms.downPaymentRatio"])
        #expect(fields(.instalments(downPaymentRatio: 3000, count: 2, intervalMonths: 1)) == [])
        #expect(fields(.instalments(downPaymentRatio: 10_000, count: 2, intervalMonths: 1)) == ["terms.downPaymentRatio"])
        #expect(fields(.instalments(downPaymentRatio: 3000, count: 0, intervalMonths: 1)) == ["terms.instalmentCount"])
        #expect(fields(.instalments(downPaymentRatio: 3000, count: 61, intervalMonths: 1)) == ["terms.instalmentCount"])
        #expect(fields(.instalments(downPaymentRatio: 3000, count: 2, intervalMonths: 0)) == ["terms.instalmentIntervalMonths"])
        #expect(fields(.instalments(downPaymentRatio: 3000, count: 2, intervalMonths: 13)) == ["terms.instalmentIntervalMonths"])
        // The deposit counts towards the down payment: it may not be more.
        #expect(fields(deposit: money("300000.01"), .instalments(downPaymentRatio: 3000, count: 2, intervalMonths: 1)) == ["deposit"])
        #expect(fields(price: money("0.10"), deposit: .zero, .instalments(downPaymentRatio: 5000, count: 6, intervalMonths: 1))
                == ["terms.instalmentCount"])
        #expect(fields(.instalments(downPaymentRatio: 2000, count: 2, intervalMonths: 1),
                       rules: PaymentRules(instalmentsMinimumDownPayment: 2000)) == [])
    }

    @Test func refusesFieldsTheMethodDoesNotUse() {
        let everything = PaymentTerms(method: .fullPayment, downPaymentRatio: 3000, instalmentCount: 2, instalmentIntervalMonths: 1,
                                      commercialLoan: money("1"), providentFundLoan: money("1"))
        #expect(fields(everything) == ["terms.downPaymentRatio", "terms.instalmentCount", "terms.instalmentIntervalMonths",
                                       "terms.commercialLoan", "terms.providentFundLoan"])
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("1"), providentFundLoan: money("1"))) == ["terms.providentFundLoan"])
        #expect(fields(.mortgage(.providentFundMortgage, commercialLoan: money("1"), providentFundLoan: money("1"))) == ["terms.commercialLoan"])
        var instalments = PaymentTerms.instalments(downPaymentRatio: 3000, count: 2, intervalMonths: 1)
        instalments.commercialLoan = money("1")
        #expect(fields(instalments) == ["terms.commercialLoan"])
    }

    @Test func refusesBadLoans() {
        #expect(fields(PaymentTerms(method: .commercialMortgage)) == ["terms.commercialLoan"])
        #expect(fields(PaymentTerms(method: .providentFundMortgage)) == ["terms.providentFundLoan"])
        #expect(fields(PaymentTerms(method: .combinedMortgage)) == ["terms.commercialLoan", "terms.providentFundLoan"])
        #expect(fields(.mortgage(.combinedMortgage, commercialLoan: .zero, providentFundLoan: money("1"))) == ["terms.commercialLoan"])
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("-1"))) == ["terms.commercialLoan"])
        // Minimum down payment: 30 % commercial, 20 % provident fund and combined, exactly at the limit allowed.
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("700000"))) == [])
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("700000.01"))) == ["terms.commercialLoan"])
        #expect(fields(.mortgage(.providentFundMortgage, providentFundLoan: money("800000"))) == [])
        #expect(fields(.mortgage(.providentFundMortgage, providentFundLoan: money("800000.01"))) == ["terms.providentFundLoan"])
        #expect(fields(.mortgage(.combinedMortgage, commercialLoan: money("400000"), providentFundLoan: money("400000"))) == [])
        #expect(fields(.mortgage(.combinedMortgage, commercialLoan: money("400000"), providentFundLoan: money("400000.01")))
                == ["terms.commercialLoan"])
        // The loans must leave at least the deposit.
        #expect(fields(deposit: money("300000.01"), .mortgage(.commercialMortgage, commercialLoan: money("700000"))) == ["terms.commercialLoan"])
        // A city that allows 15 %.
        let loose = PaymentRules(commercialMortgageMinimumDownPayment: 1500)
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("850000")), rules: loose) == [])
        #expect(fields(.mortgage(.commercialMortgage, commercialLoan: money("850000")), rules: .standard) == ["terms.commercialLoan"])
    }

    @Test func generateThrowsTheViolations() {
        #expect(throws: DealInputError([FieldViolation(field: "terms.commercialLoan", message: "is required for commercial_mortgage")])) {
            try PaymentSchedule.generate(price: money("1"), deposit: .zero, subscriptionDate: date("2026-01-01"),
                                         terms: PaymentTerms(method: .commercialMortgage))
        }
        do {
            _ = try PaymentSchedule.generate(price: money("1000"), deposit: .zero, subscriptionDate: date("9999-12-01"),
                                             terms: .mortgage(.commercialMortgage, commercialLoan: money("500")))
            Issue.record("a due date after 9999 must be refused")
        } catch {
            #expect(error.violations.map(\.field) == ["terms.loanDueDays"])
        }
    }
}

@Suite("Payment schedules regenerated with collected money kept")
struct ScheduleRegenerationTests {
    let subscribed = date("2026-05-10")
    let depositID = UUID(), downPaymentID = UUID(), loanID = UUID()

    func line(_ id: UUID, _ kind: ReceivableKind, _ due: String, _ amount: String, paid: String) -> ReceivableLine {
        ReceivableLine(id: id, kind: kind, dueDate: date(due), amount: money(amount), paid: money(paid))
    }

    func describe(_ result: RegeneratedSchedule) -> [String] {
        result.lines.map { line in
            let name = switch line.keptLineID {
            case depositID: "kept-deposit"
            case downPaymentID: "kept-down"
            case loanID: "kept-loan"
            case nil: "new"
            default: "kept-other"
            }
            return "\(name) \(line.kind.rawValue) \(line.dueDate) \(line.amount) paid \(line.paid)"
        }
    }

    func sum(_ result: RegeneratedSchedule) -> Money { result.lines.reduce(.zero) { $0 + $1.amount } }

    @Test func aLowerPriceKeepsWhatWasPaidAndReschedulesTheRest() throws {
        let existing = [line(depositID, .deposit, "2026-05-10", "50000", paid: "50000"),
                        line(downPaymentID, .downPayment, "2026-05-17", "950000", paid: "100000")]
        let result = try PaymentSchedule.regenerate(existing: existing, price: money("980000"), deposit: money("50000"),
                                                    subscriptionDate: subscribed, terms: .fullPayment())
        #expect(describe(result) == ["kept-deposit deposit 2026-05-10 50000.00 paid 50000.00",
                                     "kept-down down_payment 2026-05-17 100000.00 paid 100000.00",
                                     "new down_payment 2026-05-17 830000.00 paid 0.00"])
        #expect(sum(result) == money("980000") && result.releasedToCredit.isEmpty && result.credit == .zero)
        #expect(result.generated.price == money("980000"))
    }

    @Test func fullPaymentTurnedMortgageReleasesTheBuyersSurplusToCredit() throws {
        let existing = [line(depositID, .deposit, "2026-05-10", "50000", paid: "50000"),
                        line(downPaymentID, .downPayment, "2026-05-17", "950000", paid: "950000")]
        let result = try PaymentSchedule.regenerate(existing: existing, price: money("1000000"), deposit: money("50000"),
                                                    subscriptionDate: subscribed,
                                                    terms: .mortgage(.commercialMortgage, commercialLoan: money("700000")))
        #expect(describe(result) == ["kept-deposit deposit 2026-05-10 50000.00 paid 50000.00",
                                     "kept-down down_payment 2026-05-17 250000.00 paid 250000.00",
                                     "new commercial_loan 2026-08-08 700000.00 paid 0.00"])
        #expect(result.releasedToCredit == [CreditRelease(lineID: downPaymentID, amount: money("700000"))])
        #expect(sum(result) == money("1000000") && result.credit == money("700000"))
    }

    @Test func aPriceBelowWhatWasPaidLeavesCreditNeverLoses() throws {
        let existing = [line(downPaymentID, .downPayment, "2026-05-17", "950000", paid: "950000"),
                        line(depositID, .deposit, "2026-05-10", "50000", paid: "50000")]
        let result = try PaymentSchedule.regenerate(existing: existing, price: money("900000"), deposit: money("50000"),
                                                    subscriptionDate: subscribed, terms: .fullPayment())
        // Oldest due first: the deposit stays whole, the down payment gives up the surplus.
        #expect(describe(result) == ["kept-deposit deposit 2026-05-10 50000.00 paid 50000.00",
                                     "kept-down down_payment 2026-05-17 850000.00 paid 850000.00"])
        #expect(result.releasedToCredit == [CreditRelease(lineID: downPaymentID, amount: money("100000"))])
        #expect(sum(result) == money("900000"))
    }

    @Test func loanMoneyStaysWithItsLoan() throws {
        let existing = [line(depositID, .deposit, "2026-05-10", "50000", paid: "50000"),
                        line(downPaymentID, .downPayment, "2026-05-17", "250000", paid: "250000"),
                        line(loanID, .commercialLoan, "2026-08-08", "700000", paid: "700000")]
        // A higher price with the same loan: the buyer owes more, the loan stays as it arrived.
        let higher = try PaymentSchedule.regenerate(existing: existing, price: money("1010000"), deposit: money("50000"),
                                                    subscriptionDate: subscribed,
                                                    terms: .mortgage(.commercialMortgage, commercialLoan: money("700000")))
        #expect(describe(higher) == ["kept-deposit deposit 2026-05-10 50000.00 paid 50000.00",
                                     "kept-down down_payment 2026-05-17 250000.00 paid 250000.00",
                                     "kept-loan commercial_loan 2026-08-08 700000.00 paid 700000.00",
                                     "new down_payment 2026-05-17 10000.00 paid 0.00"])
        #expect(higher.credit == .zero && sum(higher) == money("1010000"))
        // A lower price and a smaller loan: the surplus of each payer goes to credit, the bank's included.
        let lower = try PaymentSchedule.regenerate(existing: existing, price: money("990000"), deposit: money("50000"),
                                                   subscriptionDate: subscribed,
                                                   terms: .mortgage(.commercialMortgage, commercialLoan: money("693000")))
        #expect(describe(lower) == ["kept-deposit deposit 2026-05-10 50000.00 paid 50000.00",
                                    "kept-down down_payment 2026-05-17 247000.00 paid 247000.00",
                                    "kept-loan commercial_loan 2026-08-08 693000.00 paid 693000.00"])
        #expect(lower.releasedToCredit == [CreditRelease(lineID: downPaymentID, amount: money("3000")),
                                           CreditRelease(lineID: loanID, amount: money("7000"))])
        #expect(lower.credit == money("10000") && sum(lower) == money("990000"))
    }

    @Test func unpaidLinesAreSupersededAndPartialOnesCut() throws {
        let instalment1 = UUID(), instalment2 = UUID()
        let existing = [line(depositID, .deposit, "2026-05-10", "20000", paid: "20000"),
                        line(downPaymentID, .downPayment, "2026-05-17", "280000", paid: "0"),
                        line(instalment1, .instalment, "2026-09-10", "350000", paid: "0"),
                        line(instalment2, .instalment, "2027-01-10", "350000", paid: "0")]
        let result = try PaymentSchedule.regenerate(existing: existing, price: money("1000000"), deposit: money("20000"),
                                                    subscriptionDate: subscribed,
                                                    terms: .mortgage(.providentFundMortgage, providentFundLoan: money("600000")))
        #expect(describe(result) == ["kept-deposit deposit 2026-05-10 20000.00 paid 20000.00",
                                     "new down_payment 2026-05-17 380000.00 paid 0.00",
                                     "new provident_fund_loan 2026-08-08 600000.00 paid 0.00"])
        #expect(sum(result) == money("1000000") && result.credit == .zero)
    }

    @Test func aPaidInstalmentCoversTheNewDownPayment() throws {
        let instalment = UUID()
        let existing = [line(depositID, .deposit, "2026-05-10", "20000", paid: "20000"),
                        line(downPaymentID, .downPayment, "2026-05-17", "280000", paid: "280000"),
                        line(instalment, .instalment, "2026-09-10", "700000", paid: "123456.78")]
        let result = try PaymentSchedule.regenerate(existing: existing, price: money("1000000"), deposit: money("20000"),
                                                    subscriptionDate: subscribed, terms: .fullPayment(dueDays: 30))
        #expect(describe(result) == ["kept-deposit deposit 2026-05-10 20000.00 paid 20000.00",
                                     "kept-down down_payment 2026-05-17 280000.00 paid 280000.00",
                                     "kept-other instalment 2026-09-10 123456.78 paid 123456.78",
                                     "new down_payment 2026-06-09 576543.22 paid 0.00"])
        #expect(sum(result) == money("1000000"))
    }

    @Test func refusesBadExistingLinesAndTerms() {
        let existing = [line(depositID, .deposit, "2026-05-10", "50000", paid: "50000.01"),
                        line(depositID, .areaSettlement, "2026-05-10", "-1", paid: "0")]
        do {
            _ = try PaymentSchedule.regenerate(existing: existing, price: money("1000000"), deposit: money("50000"),
                                               subscriptionDate: subscribed, terms: PaymentTerms(method: .commercialMortgage))
            Issue.record("must be refused")
        } catch {
            #expect(error.violations.map(\.field) == ["terms.commercialLoan", "lines[0].paid", "lines[1].id", "lines[1].kind",
                                                      "lines[1].amount"])
        }
    }
}
