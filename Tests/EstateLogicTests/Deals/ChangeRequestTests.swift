import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }

@Suite("Change requests")
struct ChangeRequestTests {
    @Test func statusMachine() throws {
        #expect(try ChangeRequests.next(from: .pending, on: .approve) == .approved)
        #expect(try ChangeRequests.next(from: .pending, on: .reject) == .rejected)
        #expect(try ChangeRequests.next(from: .approved, on: .execute) == .executed)
        // An approved request that can no longer be executed is rejected (its kind is then free for a new request).
        #expect(try ChangeRequests.next(from: .approved, on: .reject) == .rejected)
        let allowed: Set<String> = ["pending+approve", "pending+reject", "approved+execute", "approved+reject"]
        for status in ChangeRequestStatus.allCases {
            for action in ChangeRequestAction.allCases where !allowed.contains("\(status.rawValue)+\(action.rawValue)") {
                #expect(throws: ChangeRequestError.notAllowed(from: status, action: action)) {
                    try ChangeRequests.next(from: status, on: action)
                }
            }
        }
        #expect(ChangeRequestStatus.allCases.filter(\.isFinal) == [.rejected, .executed])
        #expect(ChangeRequestError.notAllowed(from: .pending, action: .execute).description
                == "a pending change request cannot be given execute")
    }

    @Test func whichChangesEachStageAllows() {
        #expect(ChangeRequests.kinds(at: .reserved) == [.changeRoom, .changeBuyers, .cancellation, .priceApproval])
        #expect(ChangeRequests.kinds(at: .subscribed) == [.changeRoom, .changeBuyers, .changeDiscount, .changePaymentMethod, .cancellation])
        #expect(ChangeRequests.kinds(at: .contracted) == [.changeBuyers, .changeDiscount, .changePaymentMethod, .termination])
        #expect(ChangeRequests.kinds(at: .mortgageApproved) == [.changeBuyers, .changePaymentMethod, .termination])
        #expect(ChangeRequests.kinds(at: .mortgageFundsArrived) == [.changeBuyers, .termination])
        #expect(ChangeRequests.kinds(at: .inspected) == [.changeBuyers, .termination])
        for stage in [DealStage.keysHandedOver, .propertyHandedOver, .titleRegistered, .mortgageRegistered, .completed, .cancelled, .terminated] {
            #expect(ChangeRequests.kinds(at: stage).isEmpty, "\(stage)")
        }
    }

    @Test func checkRefusesWithATypedError() throws {
        try ChangeRequests.check(.changeRoom, at: .subscribed)
        #expect(throws: ChangeRequestError.kindNotAllowed(kind: .changeRoom, stage: .contracted)) {
            try ChangeRequests.check(.changeRoom, at: .contracted)
        }
        #expect(ChangeRequestError.kindNotAllowed(kind: .cancellation, stage: .contracted).description
                == "a contracted deal does not allow cancellation")
    }

    /// Executing a cancellation or termination is a deal step that the deal flow allows in exactly the same stages.
    @Test(arguments: [ChangeRequestKind.cancellation, .termination])
    func endingChangesAgreeWithTheDealFlow(kind: ChangeRequestKind) {
        let step = kind.dealStep!
        for stage in DealStage.allCases {
            for method in [PaymentMethod.fullPayment, .combinedMortgage] {
                let flowAllows = DealFlow.allowedSteps(from: DealProgress(stage: stage, paymentMethod: method)).contains(step)
                #expect(flowAllows == kind.allowedStages.contains(stage), "\(kind) at \(stage)")
            }
        }
        #expect(ChangeRequestKind.changeRoom.dealStep == nil)
    }

    @Test func noChangeAfterTheKeys() {
        for kind in ChangeRequestKind.allCases {
            #expect(kind.allowedStages.allSatisfy { $0.roomStatus != .handedOver && $0.holdsRoom }, "\(kind)")
        }
    }
}

@Suite("Deal buyers")
struct DealBuyerTests {
    let alice = UUID(), bob = UUID(), carol = UUID()

    func fields(_ buyers: [DealBuyer]) -> [String] { DealBuyer.violations(buyers).map(\.field) }

    @Test func acceptsSoleAndSharedOwnership() {
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 10_000)]) == [])
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 6_667), DealBuyer(customerID: bob, shareBasisPoints: 3_333)]) == [])
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 1), DealBuyer(customerID: bob, shareBasisPoints: 9_999)]) == [])
    }

    @Test func sharesMustAddUpToExactlyAHundredPercent() {
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 9_999)]) == ["buyers"])
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 5_000), DealBuyer(customerID: bob, shareBasisPoints: 5_001)]) == ["buyers"])
        #expect(DealBuyer.violations([DealBuyer(customerID: alice, shareBasisPoints: 3_333), DealBuyer(customerID: bob, shareBasisPoints: 3_333),
                                      DealBuyer(customerID: carol, shareBasisPoints: 3_333)]).first?.message
                == "shares must add up to 10000 (100 %), not 9999")
    }

    @Test func refusesNoBuyersDuplicatesAndBadShares() {
        #expect(fields([]) == ["buyers"])
        #expect(fields((0...20).map { _ in DealBuyer(customerID: UUID(), shareBasisPoints: 1) }) == ["buyers"])
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 5_000), DealBuyer(customerID: alice, shareBasisPoints: 5_000)])
                == ["buyers[1].customerId"])
        // A bad share is named alone, not again as a wrong total.
        #expect(fields([DealBuyer(customerID: alice, shareBasisPoints: 0), DealBuyer(customerID: bob, shareBasisPoints: 10_001)])
                == ["buyers[0].shareBasisPoints", "buyers[1].shareBasisPoints"])
        #expect(DealBuyer.violations([], field: "newBuyers").map(\.field) == ["newBuyers"])
    }

    @Test func equalShares() {
        #expect(DealBuyer.equalShares([alice, bob, carol]).map(\.shareBasisPoints) == [3_334, 3_333, 3_333])
        #expect(DealBuyer.equalShares([alice, bob]).map(\.shareBasisPoints) == [5_000, 5_000])
        #expect(DealBuyer.equalShares([alice]) == [DealBuyer(customerID: alice, shareBasisPoints: 10_000)])
        #expect(DealBuyer.equalShares([]).isEmpty)
        let seven = DealBuyer.equalShares((1...7).map { _ in UUID() })
        #expect(DealBuyer.violations(seven).isEmpty && seven.map(\.shareBasisPoints) == [1_429, 1_429, 1_429, 1_429, 1_428, 1_428, 1_428])
    }
}

@Suite("Cancellation refunds")
struct CancellationRefundTests {
    /// Deposit 50,000 and down payment 250,000 paid by the buyer, 700,000 lent by the bank, 3,000 of maintenance fund.
    let collected: [ReceivableKind: Money] = [.deposit: money("50000"), .downPayment: money("250000"),
                                              .commercialLoan: money("700000"), .collectedForOthers: money("3000")]

    @Test func aBuyerWhoDefaultsForfeitsTheEarnest() throws {
        let refund = try CancellationRefund.compute(collected: collected, depositKind: .earnest, reason: .buyerDefault)
        #expect(refund == CancellationRefund(toBuyer: money("253000"), toCommercialLender: money("700000"), toProvidentFund: .zero,
                                             forfeitedEarnest: money("50000"), earnestPenalty: .zero))
        #expect(refund.total == money("953000"))
    }

    @Test func aDeveloperAtFaultReturnsTheEarnestDouble() throws {
        let refund = try CancellationRefund.compute(collected: collected, depositKind: .earnest, reason: .developerFault)
        #expect(refund.toBuyer == money("353000") && refund.earnestPenalty == money("50000") && refund.forfeitedEarnest == .zero)
        #expect(refund.toCommercialLender == money("700000"))
    }

    @Test func partingByAgreementReturnsEverything() throws {
        let refund = try CancellationRefund.compute(collected: collected, depositKind: .earnest, reason: .mutual)
        #expect(refund.toBuyer == money("303000") && refund.forfeitedEarnest == .zero && refund.earnestPenalty == .zero)
    }

    @Test(arguments: CancellationReason.allCases)
    func intentMoneyIsAlwaysRefunded(reason: CancellationReason) throws {
        let refund = try CancellationRefund.compute(collected: [.deposit: money("20000")], depositKind: .intent, reason: reason)
        #expect(refund == CancellationRefund(toBuyer: money("20000"), toCommercialLender: .zero, toProvidentFund: .zero,
                                             forfeitedEarnest: .zero, earnestPenalty: .zero))
    }

    @Test func onlyTheCollectedEarnestCounts() throws {
        let partly = try CancellationRefund.compute(collected: [.deposit: money("10000")], depositKind: .earnest, reason: .developerFault)
        #expect(partly.toBuyer == money("20000") && partly.earnestPenalty == money("10000"))
        let nothing = try CancellationRefund.compute(collected: [:], depositKind: .earnest, reason: .buyerDefault)
        #expect(nothing.total == .zero && nothing.forfeitedEarnest == .zero)
        let noDeposit = try CancellationRefund.compute(collected: [.downPayment: money("1")], depositKind: nil, reason: .buyerDefault)
        #expect(noDeposit.toBuyer == money("1") && noDeposit.forfeitedEarnest == .zero)
    }

    @Test func loanMoneyGoesBackToEachLender() throws {
        let refund = try CancellationRefund.compute(collected: [.commercialLoan: money("400000"), .providentFundLoan: money("600000"),
                                                                .areaSettlement: money("1234.56")],
                                                    depositKind: nil, reason: .mutual)
        #expect(refund.toCommercialLender == money("400000") && refund.toProvidentFund == money("600000"))
        #expect(refund.toBuyer == money("1234.56"))
    }

    @Test func refusesNegativeCollections() {
        #expect(throws: DealInputError([FieldViolation(field: "collected.instalment", message: "must not be negative")])) {
            try CancellationRefund.compute(collected: [.instalment: money("-0.01")], depositKind: nil, reason: .mutual)
        }
    }

    /// The collected money moves to the credit, except the forfeited earnest (kept on the oldest deposit
    /// lines) and loan money (kept on its line for the lender).
    @Test(arguments: CancellationReason.allCases)
    func releasesLeaveTheForfeitedEarnestAndLoanMoneyOnTheirLines(reason: CancellationReason) throws {
        let day = LocalDate("2026-01-10")!, later = LocalDate("2026-01-20")!
        let intent = ReceivableLine(id: UUID(), kind: .deposit, dueDate: day, amount: money("20000"), paid: money("20000"))
        let earnest = ReceivableLine(id: UUID(), kind: .deposit, dueDate: later, amount: money("30000"), paid: money("30000"))
        let down = ReceivableLine(id: UUID(), kind: .downPayment, dueDate: later, amount: money("250000"), paid: money("100000"))
        let loan = ReceivableLine(id: UUID(), kind: .commercialLoan, dueDate: later, amount: money("700000"), paid: money("700000"))
        let unpaid = ReceivableLine(id: UUID(), kind: .instalment, dueDate: day, amount: money("5000"))
        let lines = [down, earnest, loan, unpaid, intent]
        let collected = CancellationRefund.collected(on: lines)
        #expect(collected == [.deposit: money("50000"), .downPayment: money("100000"), .commercialLoan: money("700000")])
        let refund = try CancellationRefund.compute(collected: collected, depositKind: .earnest, reason: reason)
        let releases = refund.releases(from: lines)
        #expect(releases.reduce(Money.zero) { $0 + $1.amount } == refund.toBuyer - refund.earnestPenalty)
        #expect(!releases.contains { $0.lineID == loan.id || $0.lineID == unpaid.id })
        switch reason {
        case .buyerDefault:
            // The 50,000 earnest stays: all of the older deposit line, 30,000 of the later one.
            #expect(releases == [CreditRelease(lineID: down.id, amount: money("100000"))])
        case .developerFault, .mutual:
            #expect(releases == [CreditRelease(lineID: intent.id, amount: money("20000")), CreditRelease(lineID: down.id, amount: money("100000")),
                                 CreditRelease(lineID: earnest.id, amount: money("30000"))])
        }
        // Intent money is released whatever the reason.
        let intentOnly = try CancellationRefund.compute(collected: [.deposit: money("20000")], depositKind: .intent, reason: reason)
        #expect(intentOnly.releases(from: [intent]) == [CreditRelease(lineID: intent.id, amount: money("20000"))])
    }
}
