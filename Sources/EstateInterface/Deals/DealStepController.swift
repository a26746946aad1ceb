import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// The steps of a deal after its subscription (DOMAIN.md, "The sale, step by step", steps 3 to 6):
/// one route per step, `POST /v1/deals/{id}/<step>` (the step's name with dashes), each dated.
/// Every step is one transaction: the flow's check (409 `illegal-step`), the room's sales-control
/// event when the step has one, the step's row in `deal_steps`, the deal's fields, the tasks of the
/// owning consultant, the deal's history and the audit; `Idempotency-Key` is accepted.
struct DealStepController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The steps that have a route, in the flow's order.
    static let routedSteps: [DealStep] = [
        .contract, .applyForMortgage, .approveMortgage, .receiveMortgageFunds, .settleArea, .sendMoveInNotice, .inspect,
        .handOverKeys, .handOverToPropertyManagement, .registerTitle, .registerMortgage, .complete,
    ]

    /// The route of `step`: `apply_for_mortgage` is `/v1/deals/{id}/apply-for-mortgage`.
    static func path(_ step: DealStep) -> String {
        "/v1/deals/{id}/" + step.rawValue.replacingOccurrences(of: "_", with: "-")
    }

    /// What a step needs: `deals.write`, or the permission of the room's sales-control event it causes.
    static func permission(_ step: DealStep) -> Permission {
        step.roomEvent?.permission ?? .dealsWrite
    }

    func register(in routes: inout RouteTable) {
        for step in Self.routedSteps {
            routes.add(.post, Self.path(step), access: .permission(Self.permission(step))) { request, context in
                try await take(step, request: request, context: context)
            }
        }
    }

    func take(_ step: DealStep, request: Request, context: EstateRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        var request = request
        let idempotency = try await IdempotencyGuard(&request, context: context)
        let input = try await request.decode(as: DealStepInput.self, context: context)
        try DealController.check(input.shapeViolations(for: step), prefix: "")
        let actor = try context.requireCaller().actor.historyText
        let moment = now()
        return try await database.unitOfWork { work in
            try await idempotency.perform(work, context: context) {
                let current = try await context.deals.deal(work, id, Self.permission(step), lock: true)
                let stage = try DealFlow.transition(from: current.progress, by: step)
                let before = try await work.dealSteps.milestones(groupID: current.groupID, dealID: current.id)
                let today = LocalDate(moment, in: try await work.groups.timeZone(groupID: current.groupID))
                let notBefore = [before.lastStepDate, current.subscribedOn].compactMap { $0 }.max()
                try DealController.check(DealStepRules.dateViolations(input.date, today: today, notBefore: notBefore)
                                             + input.amountViolations(for: step), prefix: "")
                var change = StepChange(deal: current, milestones: before, details: DealStepDetails(note: input.note))
                change.deal.stage = stage
                try await apply(step, input, to: &change, work: work, context: context, today: today, actor: actor)

                try await work.dealSteps.save(groupID: current.groupID, dealID: current.id, change.milestones)
                let stored = try await work.deals.update(change.deal)
                try await work.dealSteps.record(groupID: stored.groupID, dealID: stored.id,
                                                DealStepRecord(step: step, doneOn: input.date, details: change.details, recordedBy: actor))
                try await work.dealTasks.close(groupID: stored.groupID, DealTaskPlan.finished(by: step, dealID: stored.id), done: true,
                                               actor: actor, note: "\(step.rawValue) done")
                try await work.dealTasks.ensure(change.tasks, of: stored, actor: actor)
                try await work.dealTasks.syncPayments(of: stored, actor: actor)
                let after = try await work.dealSteps.milestones(groupID: stored.groupID, dealID: stored.id)
                if step == .contract, let number = after.contractNumber, let signedOn = after.contractSignedOn,
                   let price = stored.pricing?.finalPrice {
                    try await work.events.append(DealContracted(dealId: stored.id, projectId: stored.projectID, roomId: stored.roomID,
                                                                contractNumber: number, contractSignedOn: signedOn, finalPrice: price),
                                                 groupID: stored.groupID)
                }
                try await work.deals.record(stored, event: step.rawValue, from: current.stage,
                                            before: DealBody(current, receivables: nil, milestones: before),
                                            after: DealBody(stored, receivables: nil, milestones: after), actor: actor, reason: input.note)
                try await context.recordChange(work, action: "deal.\(step.rawValue)", objectType: "deal", objectID: stored.id,
                                               orgUnitID: stored.projectID,
                                               changes: AuditChange.diff(before: Self.audited(current, before, step: step, date: nil),
                                                                         after: Self.audited(stored, after, step: step, date: input.date)),
                                               groupID: stored.groupID)
                return try await DealController.response(work, stored, status: .ok, request: request, context: context)
            }
        }
    }

    /// What one step changes, built up before it is stored.
    struct StepChange {
        var deal: Deal
        var milestones: DealMilestones
        var details: DealStepDetails
        /// Tasks the step asks for.
        var tasks: [DealTask] = []
    }

    /// The step's own checks and effects on `change` (and on the room, the receivables).
    func apply(_ step: DealStep, _ input: DealStepInput, to change: inout StepChange, work: UnitOfWork, context: EstateRequestContext,
               today: LocalDate, actor: String) async throws {
        let deal = change.deal
        switch step {
        case .contract:
            let filedOn = input.filedOn ?? input.date
            try DealController.check(DealStepRules.dateViolations(filedOn, field: "filedOn", today: today, notBefore: input.date,
                                                                  what: "the contract's date"), prefix: "")
            let room = try await lockedRoom(work, deal)
            guard let area = DealStepRules.contractedArea(of: room.attributes) else {
                throw Problem(status: .unprocessableContent, code: "contracted-area-unknown",
                              detail: "The room has no \(room.attributes.pricingBasis == .internalArea ? "internal" : "built") area to contract on; "
                                  + "enter its forecast area first.")
            }
            try await DealController.moveRoom(work, room, step: step, dealID: deal.id, actor: actor)
            change.milestones.contractNumber = input.contractNumber
            change.milestones.contractSignedOn = input.date
            change.milestones.filingNumber = input.filingNumber
            change.milestones.filedOn = filedOn
            change.milestones.contractedArea = area
            change.details.contractNumber = input.contractNumber
            change.details.filingNumber = input.filingNumber
            change.details.filedOn = filedOn
            change.details.contractedArea = area

        case .applyForMortgage, .approveMortgage, .receiveMortgageFunds:
            let lines = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id).map(\.line)
            let (field, amount): (String, Money?) = switch step {
            case .applyForMortgage: ("loanAmount", input.loanAmount)
            case .approveMortgage: ("approvedAmount", input.approvedAmount)
            default: ("amount", input.amount)
            }
            if let amount, let violation = DealStepRules.mortgageAmountViolation(amount, field: field, lines: lines) {
                throw Problem(status: .unprocessableContent, code: "mortgage-amount-mismatch",
                              detail: "The loan must be what the payment schedule expects from the lenders, \(DealStepRules.loanTotal(lines)); "
                                  + "change the payment terms first for another amount.",
                              errors: [.init(field: violation.field, message: violation.message)])
            }
            if step == .applyForMortgage, let bank = input.bank {
                change.milestones.mortgageBank = bank
                change.milestones.mortgageTermMonths = input.termMonths
                change.details.bank = bank
                change.details.termMonths = input.termMonths
                change.tasks.append(DealTaskPlan.mortgageDocuments(dealID: deal.id, bank: bank, appliedOn: input.date,
                                                                   roomNumber: try await work.dealTasks.roomNumber(deal)))
            }
            change.milestones.mortgageAmount = step == .receiveMortgageFunds ? change.milestones.mortgageAmount : amount
            change.details.loanAmount = input.loanAmount
            change.details.approvedAmount = input.approvedAmount
            change.details.amount = input.amount

        case .settleArea:
            try await settleArea(input, to: &change, work: work, context: context)

        case .handOverKeys:
            try await DealController.moveRoom(work, try await lockedRoom(work, deal), step: step, dealID: deal.id, actor: actor)

        case .registerTitle:
            change.details.certificateNumber = input.certificateNumber

        case .complete:
            let open = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id).reduce(Money.zero) { $0 + $1.line.amount - $1.line.paid }
            guard open == .zero else {
                throw Problem(status: .unprocessableContent, code: "open-balance",
                              detail: "The deal still has \(open) to collect; a deal completes once every receivable is paid.")
            }
            guard deal.credit == .zero else {
                throw Problem(status: .unprocessableContent, code: "credit-held",
                              detail: "The deal holds \(deal.credit) of the buyers' money as credit; refund it before completing the deal.")
            }

        case .sendMoveInNotice, .inspect, .handOverToPropertyManagement, .registerMortgage:
            break

        case .reserve, .subscribe, .cancel, .terminate, .expireReservation:
            // Not routed here (DealController, the change requests and the expiry service take them).
            throw Problem.internalError
        }
    }

    /// The area settlement: the price difference by the contract rule (``AreaSettlement``) becomes a
    /// receivable (positive) or a refund owed to the buyers, held as the deal's credit (negative);
    /// the room keeps the surveyed area as its actual area.
    func settleArea(_ input: DealStepInput, to change: inout StepChange, work: UnitOfWork, context: EstateRequestContext) async throws {
        let deal = change.deal
        // The body's schema requires actualArea, and a subscribed deal has its price (deals_price_check).
        guard let actual = input.actualArea, let finalPrice = deal.pricing?.finalPrice else { throw Problem.internalError }
        let room = try await lockedRoom(work, deal)
        let basis = room.attributes.pricingBasis
        let contracted = change.milestones.contractedArea ?? DealStepRules.contractedArea(of: room.attributes)
        var settlement: AreaSettlement?
        if basis != .unit {
            guard let contracted else {
                throw Problem(status: .unprocessableContent, code: "contracted-area-unknown",
                              detail: "The deal has no contracted area to settle against.")
            }
            settlement = try DealStepRules.settlement(basis: basis, contractedArea: contracted, actualArea: actual, finalPrice: finalPrice)
        }
        var attributes = room.attributes
        if basis == .internalArea { attributes.areas.internalActual = actual } else { attributes.areas.builtActual = actual }
        if let clash = attributes.violations().first(where: { $0.field == "builtAreaActual" || $0.field == "internalAreaActual" }) {
            throw Problem.validation([FieldViolation(field: "actualArea", message: "does not fit the room's other actual area: \(clash.field) \(clash.message)")])
        }
        _ = try await work.dealSteps.setActualArea(room, built: attributes.areas.builtActual, internal: attributes.areas.internalActual)
        try await context.recordChange(work, action: "room.actual_area", objectType: "room", objectID: room.id, orgUnitID: room.projectID,
                                       changes: AuditChange.diff(before: ["builtAreaActual": room.attributes.areas.builtActual?.description,
                                                                          "internalAreaActual": room.attributes.areas.internalActual?.description],
                                                                 after: ["builtAreaActual": attributes.areas.builtActual?.description,
                                                                         "internalAreaActual": attributes.areas.internalActual?.description]),
                                       groupID: room.groupID)
        let amount = settlement?.amount ?? .zero
        if amount > .zero {
            let due = input.date.adding(days: DealStepRules.areaSettlementDueDays) ?? input.date
            let line = try await work.deals.addReceivables(groupID: deal.groupID, dealID: deal.id,
                                                           [ScheduleLine(kind: .areaSettlement, dueDate: due, amount: amount)])
            change.details.receivableId = line.first?.line.id
        } else if amount < .zero {
            change.deal.credit = change.deal.credit - amount
            change.details.creditAdded = -amount
        }
        change.milestones.contractedArea = contracted
        change.milestones.actualArea = actual
        change.milestones.settlementAmount = amount
        change.milestones.buyerMayCancel = settlement?.buyerMayCancel ?? false
        change.details.contractedArea = contracted
        change.details.actualArea = actual
        change.details.settlementAmount = amount
        change.details.buyerMayCancel = settlement?.buyerMayCancel ?? false
    }

    func lockedRoom(_ work: UnitOfWork, _ deal: Deal) async throws -> Room {
        guard let room = try await work.rooms.lock(groupID: deal.groupID, id: deal.roomID) else { throw Problem.notFound() }
        return room
    }

    /// What the audit keeps of a deal around a step: its stage, credit and milestones, and the step's date.
    static func audited(_ deal: Deal, _ m: DealMilestones, step: DealStep, date: LocalDate?) -> [String: String?] {
        ["stage": deal.stage.rawValue, "credit": deal.credit.description, "contractNumber": m.contractNumber,
         "filingNumber": m.filingNumber, "filedOn": m.filedOn?.description, "mortgageBank": m.mortgageBank,
         "mortgageAmount": m.mortgageAmount?.description, "contractedArea": m.contractedArea?.description,
         "actualArea": m.actualArea?.description, "settlementAmount": m.settlementAmount?.description,
         "buyerMayCancel": m.buyerMayCancel.map { $0 ? "true" : "false" }, "\(step.rawValue).date": date?.description]
    }

    // MARK: Subscription

    /// What a subscription sets up for the steps after it, in its own unit of work: the contract
    /// deadline (``DealStepRules/contractSigningDays`` after the subscription) with its task, and a
    /// payment-due task for each open line the buyers pay (``DealTaskPlan``).
    /// What follows a subscription, by either route (a direct one or a reserved deal's): the
    /// `deal.subscribed` event, the contract deadline and its task, the payment tasks.
    static func subscribed(_ work: UnitOfWork, _ deal: Deal, actor: String) async throws {
        if let subscribedOn = deal.subscribedOn, let pricing = deal.pricing {
            try await work.events.append(DealSubscribed(dealId: deal.id, projectId: deal.projectID, roomId: deal.roomID,
                                                        customerIds: deal.buyers.map(\.customerID), finalPrice: pricing.finalPrice,
                                                        paymentMethod: pricing.terms.method.rawValue, subscribedOn: subscribedOn),
                                         groupID: deal.groupID)
        }
        guard let subscribedOn = deal.subscribedOn, let deadline = subscribedOn.adding(days: DealStepRules.contractSigningDays) else { return }
        var milestones = try await work.dealSteps.milestones(groupID: deal.groupID, dealID: deal.id)
        milestones.contractDeadline = deadline
        try await work.dealSteps.save(groupID: deal.groupID, dealID: deal.id, milestones)
        try await work.dealTasks.ensure([DealTaskPlan.contractDeadline(dealID: deal.id, deadline: deadline,
                                                                       roomNumber: try await work.dealTasks.roomNumber(deal))],
                                        of: deal, actor: actor)
        try await work.dealTasks.syncPayments(of: deal, actor: actor)
    }
}
