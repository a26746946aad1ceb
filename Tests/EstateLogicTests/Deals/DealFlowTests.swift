import EstateLogic
import Testing

@Suite("Deal state machine")
struct DealFlowTests {
    /// Walks a deal from `start` along its next steps to the end, checking that the room status follows
    /// the sales-control state machine at every step.
    func walk(start: DealStep, method: PaymentMethod) throws -> [DealStep] {
        var stage = try DealFlow.start(by: start)
        var room = try SalesControl.next(from: .available, on: start.roomEvent!)
        #expect(room == stage.roomStatus)
        var steps = [start]
        while let next = DealFlow.nextStep(of: DealProgress(stage: stage, paymentMethod: stage == .reserved ? nil : method)) {
            let progress = DealProgress(stage: stage, paymentMethod: stage == .reserved ? nil : method)
            let after = try DealFlow.transition(from: progress, by: next.step)
            #expect(after == next.stage && after == next.step.stage)
            if let event = next.step.roomEvent { room = try SalesControl.next(from: room, on: event) }
            #expect(room == after.roomStatus, "\(next.step)")
            steps.append(next.step)
            stage = after
        }
        #expect(stage == .completed)
        return steps
    }

    @Test func aFullPaymentDealFromSubscriptionToCompletion() throws {
        #expect(try walk(start: .subscribe, method: .fullPayment) == [
            .subscribe, .contract, .settleArea, .sendMoveInNotice, .inspect, .handOverKeys, .handOverToPropertyManagement,
            .registerTitle, .complete,
        ])
        #expect(try walk(start: .subscribe, method: .instalments).count == 9)
    }

    @Test(arguments: [PaymentMethod.commercialMortgage, .providentFundMortgage, .combinedMortgage])
    func aMortgageDealFromReservationToCompletion(method: PaymentMethod) throws {
        #expect(try walk(start: .reserve, method: method) == [
            .reserve, .subscribe, .contract, .applyForMortgage, .approveMortgage, .receiveMortgageFunds, .settleArea,
            .sendMoveInNotice, .inspect, .handOverKeys, .handOverToPropertyManagement, .registerTitle, .registerMortgage, .complete,
        ])
    }

    @Test func pathsFollowThePaymentMethod() {
        #expect(DealFlow.path(paymentMethod: .fullPayment) == [.reserved, .subscribed, .contracted, .areaSettled, .moveInNotified,
                                                               .inspected, .keysHandedOver, .propertyHandedOver, .titleRegistered, .completed])
        #expect(DealFlow.path(paymentMethod: nil) == DealFlow.path(paymentMethod: .instalments))
        #expect(DealFlow.path(paymentMethod: .combinedMortgage).count == 14)
    }

    @Test func aDealStartsOnlyByReservationOrSubscription() throws {
        #expect(try DealFlow.start(by: .reserve) == .reserved)
        #expect(try DealFlow.start(by: .subscribe) == .subscribed)
        for step in DealStep.allCases where step != .reserve && step != .subscribe {
            #expect(throws: DealStepError.notAllowed(stage: nil, step: step, expected: [.reserve, .subscribe])) {
                try DealFlow.start(by: step)
            }
        }
    }

    /// The ways out, written out independently of the implementation.
    static let waysOut: [DealStage: [DealStep]] = [
        .reserved: [.cancel, .expireReservation], .subscribed: [.cancel],
        .contracted: [.terminate], .mortgageApplied: [.terminate], .mortgageApproved: [.terminate],
        .mortgageFundsArrived: [.terminate], .areaSettled: [.terminate], .moveInNotified: [.terminate], .inspected: [.terminate],
    ]

    @Test(arguments: DealStage.allCases)
    func everyStepIsAllowedOrRefusedWithWhatWouldDo(stage: DealStage) {
        for method in [nil, PaymentMethod.fullPayment, .commercialMortgage] {
            let progress = DealProgress(stage: stage, paymentMethod: method)
            let forward = DealFlow.nextStep(of: progress).map { [$0.step] } ?? []
            let expected = forward + (Self.waysOut[stage] ?? [])
            #expect(DealFlow.allowedSteps(from: progress) == expected, "\(stage) \(String(describing: method))")
            for step in DealStep.allCases {
                let result = Result { () throws(DealStepError) -> DealStage in try DealFlow.transition(from: progress, by: step) }
                switch result {
                case .success(let next):
                    #expect(expected.contains(step) && next == step.stage)
                case .failure(let error):
                    #expect(!expected.contains(step))
                    #expect(error == .notAllowed(stage: stage, step: step, expected: expected))
                }
            }
        }
    }

    @Test func noSkippingAndNoMortgageStepsWithoutAMortgage() {
        let cash = DealProgress(stage: .contracted, paymentMethod: .fullPayment)
        #expect(throws: DealStepError.notAllowed(stage: .contracted, step: .applyForMortgage, expected: [.settleArea, .terminate])) {
            try DealFlow.transition(from: cash, by: .applyForMortgage)
        }
        let mortgage = DealProgress(stage: .contracted, paymentMethod: .commercialMortgage)
        #expect(throws: DealStepError.self) { try DealFlow.transition(from: mortgage, by: .settleArea) }
        #expect(throws: DealStepError.self) { try DealFlow.transition(from: mortgage, by: .contract) }
        let titled = DealProgress(stage: .titleRegistered, paymentMethod: .providentFundMortgage)
        #expect(DealFlow.nextStep(of: titled)?.step == .registerMortgage)
        #expect(DealFlow.nextStep(of: DealProgress(stage: .titleRegistered, paymentMethod: .instalments))?.step == .complete)
        // Once the keys are handed over the deal can no longer be terminated.
        #expect(throws: DealStepError.self) {
            try DealFlow.transition(from: DealProgress(stage: .keysHandedOver, paymentMethod: .fullPayment), by: .terminate)
        }
    }

    @Test func endedDealsTakeNoStep() {
        for stage in [DealStage.completed, .cancelled, .terminated] {
            let progress = DealProgress(stage: stage, paymentMethod: .commercialMortgage)
            #expect(stage.isEnded && DealFlow.nextStep(of: progress) == nil && DealFlow.allowedSteps(from: progress).isEmpty)
        }
        #expect(DealStage.completed.holdsRoom && !DealStage.cancelled.holdsRoom && !DealStage.terminated.holdsRoom)
        #expect(DealStage.allCases.filter(\.isEnded).count == 3)
    }

    @Test func waysOutFreeTheRoom() throws {
        for (stage, steps) in Self.waysOut {
            for step in steps {
                let after = try DealFlow.transition(from: DealProgress(stage: stage, paymentMethod: .commercialMortgage), by: step)
                #expect(after.roomStatus == .available)
                #expect(try SalesControl.next(from: stage.roomStatus, on: step.roomEvent!) == .available)
            }
        }
    }

    @Test func roomStatusByStage() {
        #expect(DealStage.reserved.roomStatus == .reserved)
        #expect(DealStage.subscribed.roomStatus == .subscribed)
        #expect(DealStage.inspected.roomStatus == .contracted)
        #expect(DealStage.keysHandedOver.roomStatus == .handedOver)
        #expect(DealStage.completed.roomStatus == .handedOver)
        #expect(DealStage.allCases.filter(\.holdsRoom).allSatisfy { $0.roomStatus.isTakenByDeal })
    }

    @Test func aChangedPaymentMethodLeavesTheMortgageSteps() {
        #expect(DealFlow.stageAfterPaymentMethodChange(.mortgageApplied) == .contracted)
        #expect(DealFlow.stageAfterPaymentMethodChange(.mortgageApproved) == .contracted)
        #expect(DealFlow.stageAfterPaymentMethodChange(.subscribed) == .subscribed)
        #expect(DealFlow.stageAfterPaymentMethodChange(.contracted) == .contracted)
        // A stage off the new path still moves on to the next stage of the path.
        #expect(DealFlow.nextStep(of: DealProgress(stage: .mortgageApproved, paymentMethod: .fullPayment))?.step == .settleArea)
    }

    @Test func nextStepSaysWhatItNeeds() {
        let next = DealFlow.nextStep(of: DealProgress(stage: .subscribed, paymentMethod: .fullPayment))
        #expect(next == NextDealStep(step: .contract))
        #expect(next?.requiredFields == ["date", "contractNumber", "filingNumber"])
        #expect(DealFlow.nextStep(of: DealProgress(stage: .mortgageFundsArrived, paymentMethod: .combinedMortgage))?.requiredFields
                == ["date", "actualArea"])
        for step in DealStep.allCases where step != .reserve && step != .subscribe && step != .cancel && step != .terminate
            && step != .expireReservation {
            #expect(step.requiredFields.first == "date", "\(step)")
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(DealStepError.notAllowed(stage: .contracted, step: .registerTitle, expected: [.settleArea, .terminate]).description
                == "a contracted deal cannot be given register_title: it takes settle_area or terminate")
        #expect(DealStepError.notAllowed(stage: .completed, step: .cancel, expected: []).description
                == "a completed deal cannot be given cancel: it takes no step")
        #expect(DealStepError.notAllowed(stage: nil, step: .contract, expected: [.reserve, .subscribe]).description
                == "a new deal cannot be given contract: it takes reserve or subscribe")
    }
}
