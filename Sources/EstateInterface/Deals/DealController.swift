import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// Deals: started by a reservation or directly by a subscription, a reserved deal subscribed, read
/// with its schedule, balance and next step, listed, and their history. Every start and step is
/// one transaction that also moves the room (a conditional status update, and the database's one
/// live deal per room), and accepts `Idempotency-Key`.
struct DealController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The longest a reservation may keep a room.
    static let maximumReservationDays = 90

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/deals", access: .permission(.dealsCreate)) { request, context in
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: StartDealInput.self, context: context)
            let caller = try context.requireCaller()
            let moment = now()
            var violations: [FieldViolation] = []
            switch (body.reservation, body.subscription) {
            case (nil, nil), (.some, .some):
                violations.append(FieldViolation(field: "reservation", message: "give exactly one of reservation and subscription"))
            case (let reservation?, nil):
                violations += Self.reservationViolations(reservation, now: moment)
            case (nil, let subscription?):
                if subscription.deposit == nil {
                    violations.append(FieldViolation(field: "subscription.deposit", message: "is required when the deal starts with a subscription"))
                }
                if subscription.priceApprovalId != nil {
                    violations.append(FieldViolation(field: "subscription.priceApprovalId",
                                                     message: "applies to a reserved deal only (reserve first to ask for a price below the floor)"))
                }
            }
            violations += Self.buyerShapeViolations(body.buyers)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let room = try await context.inventory.room(work, body.roomId, .dealsCreate, lock: true)
                    let buyers = try await Self.buyers(work, context, body.buyers, field: "buyers")
                    let ownerID = try await Self.owner(work, context, body.ownerId, room: room)
                    let timeZone = try await work.groups.timeZone(groupID: room.groupID)
                    let today = LocalDate(moment, in: timeZone)
                    let step: DealStep = body.reservation != nil ? .reserve : .subscribe
                    let stage = try DealFlow.start(by: step)
                    var deal = Deal(groupID: room.groupID, id: UUIDv7.make(), projectID: room.projectID, projectPath: room.projectPath,
                                    roomID: room.id, ownerID: ownerID, stage: stage, buyers: buyers, deposit: nil, reservedUntil: nil,
                                    pricing: nil, subscribedOn: nil, createdBy: caller.actor.historyText, createdAt: moment, updatedAt: moment)
                    var lines: [ScheduleLine] = []
                    if let reservation = body.reservation {
                        let deposit = Deposit(kind: reservation.deposit.kind, amount: reservation.deposit.amount)
                        try Self.check(deposit.violations(price: room.listPrice), prefix: "reservation.")
                        deal.deposit = deposit
                        deal.reservedUntil = reservation.until
                        lines = [ScheduleLine(kind: .deposit, dueDate: today, amount: deposit.amount)]
                    } else if let input = body.subscription {
                        let agreed = try await Self.agree(work, room: room, input, deposit: nil, today: today, at: moment, approval: nil)
                        deal.deposit = agreed.deposit
                        deal.pricing = agreed.pricing
                        deal.subscribedOn = agreed.date
                        lines = try PaymentSchedule.generate(price: agreed.pricing.finalPrice, deposit: agreed.deposit.amount,
                                                             subscriptionDate: agreed.date, terms: agreed.pricing.terms).lines
                    }
                    try await Self.moveRoom(work, room, step: step, dealID: deal.id, actor: caller.actor.historyText)
                    try await work.deals.insert(deal)
                    let receivables = try await work.deals.addReceivables(groupID: deal.groupID, dealID: deal.id,
                                                                          lines.filter { $0.amount > .zero }, newDeal: true)
                    // As stored: the insert writes every field of `deal` (version 1, its own times).
                    try await work.deals.record(deal, event: step.rawValue, from: nil, after: Self.snapshot(deal), actor: caller.actor.historyText)
                    try await Self.audit(work, context, "deal.\(step.rawValue)", deal, before: [:])
                    if step == .subscribe { try await DealStepController.subscribed(work, deal, actor: caller.actor.historyText) }
                    return try await Self.response(work, deal, receivables: receivables, status: .created, request: request, context: context)
                }
            }
        }

        routes.add(.get, "/v1/deals", access: .permission(.dealsRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            var reader = QueryReader(request)
            let query = DealQuery(projectID: reader.uuid("projectId"), roomID: reader.uuid("roomId"), customerID: reader.uuid("customerId"),
                                  ownerID: reader.uuid("ownerId"), stages: reader.values("stage", of: DealStage.self))
            try reader.finish()
            let roots = Array(caller.scope.units(with: .dealsRead))
            let deals = try await database.read { work in
                try await work.deals.search(groupID: caller.groupID, under: roots, query, before: page.after, limit: page.limit)
            }
            return DealPage(items: deals.map { DealBody($0, receivables: nil) }, nextCursor: page.nextCursor(after: deals, lastID: deals.last?.id))
        }

        routes.add(.get, "/v1/deals/{id}", access: .permission(.dealsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .dealsRead)
                return try await Self.response(work, deal, status: .ok, request: request, context: context)
            }
        }

        routes.add(.get, "/v1/deals/{id}/history", access: .permission(.dealsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let entries = try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .dealsRead)
                return try await work.deals.history(groupID: deal.groupID, dealID: deal.id)
            }
            return DealHistoryPage(items: try entries.map { entry in
                DealHistoryBody(id: entry.id, event: entry.event, fromStage: entry.fromStage, toStage: entry.toStage,
                                before: try entry.before.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) },
                                after: try entry.after.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) },
                                actor: entry.actor, reason: entry.reason, at: entry.at)
            })
        }

        routes.add(.post, "/v1/deals/{id}/subscribe", access: .permission(.dealsCreate)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: SubscribeDealInput.self, context: context)
            let caller = try context.requireCaller()
            let moment = now()
            if let buyers = body.buyers {
                let violations = Self.buyerShapeViolations(buyers)
                guard violations.isEmpty else { throw Problem.validation(violations) }
            }
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let current = try await context.deals.deal(work, id, .dealsCreate, lock: true)
                    let stage = try DealFlow.transition(from: current.progress, by: .subscribe)
                    guard let room = try await work.rooms.lock(groupID: current.groupID, id: current.roomID) else { throw Problem.notFound() }
                    var deal = current
                    if let buyers = body.buyers { deal.buyers = try await Self.buyers(work, context, buyers, field: "buyers") }
                    let today = LocalDate(moment, in: try await work.groups.timeZone(groupID: deal.groupID))
                    let agreed = try await Self.agree(work, room: room, body.subscription, deposit: current.deposit, today: today, at: moment,
                                                      approval: body.subscription.priceApprovalId.map { (deal.id, $0) })
                    let existing = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id, lock: true)
                    let schedule = try PaymentSchedule.regenerate(existing: existing.map(\.line), price: agreed.pricing.finalPrice,
                                                                  deposit: agreed.deposit.amount, subscriptionDate: agreed.date,
                                                                  terms: agreed.pricing.terms)
                    deal.credit = deal.credit + (try await work.deals.applySchedule(groupID: deal.groupID, dealID: deal.id, existing: existing, schedule))
                    deal.stage = stage
                    deal.deposit = agreed.deposit
                    deal.pricing = agreed.pricing
                    deal.subscribedOn = agreed.date
                    deal.reservedUntil = nil
                    try await Self.moveRoom(work, room, step: .subscribe, dealID: deal.id, actor: caller.actor.historyText)
                    let stored = try await work.deals.update(deal)
                    try await work.deals.record(stored, event: DealStep.subscribe.rawValue, from: current.stage,
                                                before: Self.snapshot(current), after: Self.snapshot(stored), actor: caller.actor.historyText)
                    try await Self.audit(work, context, "deal.subscribe", stored, before: ["stage": current.stage.rawValue])
                    try await DealStepController.subscribed(work, stored, actor: caller.actor.historyText)
                    return try await Self.response(work, stored, status: .ok, request: request, context: context)
                }
            }
        }
    }

    // MARK: Pieces

    static func reservationViolations(_ reservation: ReservationInput, now: Date) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if reservation.until <= now {
            violations.append(FieldViolation(field: "reservation.until", message: "must be in the future"))
        } else if reservation.until > now.addingTimeInterval(TimeInterval(maximumReservationDays * 86_400)) {
            violations.append(FieldViolation(field: "reservation.until", message: "must be at most \(maximumReservationDays) days ahead"))
        }
        if reservation.deposit.amount <= .zero {
            violations.append(FieldViolation(field: "reservation.deposit.amount", message: "must be more than 0"))
        }
        return violations
    }

    /// The shape of a buyer list: 1 to 20 buyers, each customer once, shares all given (adding up to
    /// 10000) or all left out (equal shares).
    static func buyerShapeViolations(_ input: [DealBuyerInput]) -> [FieldViolation] {
        let given = input.filter { $0.shareBasisPoints != nil }.count
        if given != 0 && given != input.count {
            return [FieldViolation(field: "buyers", message: "give every buyer's shareBasisPoints, or none for equal shares")]
        }
        return DealBuyer.violations(resolvedBuyers(input))
    }

    static func resolvedBuyers(_ input: [DealBuyerInput]) -> [DealBuyer] {
        guard input.allSatisfy({ $0.shareBasisPoints != nil }), !input.isEmpty else {
            return DealBuyer.equalShares(input.map(\.customerId))
        }
        return input.map { DealBuyer(customerID: $0.customerId, shareBasisPoints: $0.shareBasisPoints ?? 0) }
    }

    /// The buyers, each a customer the caller can read (else 422 naming `buyers[i].customerId`).
    static func buyers(_ work: UnitOfWork, _ context: EstateRequestContext, _ input: [DealBuyerInput], field: String) async throws -> [DealBuyer] {
        var unknown: [Problem.FieldError] = []
        for (index, buyer) in input.enumerated() {
            do {
                _ = try await context.customers.customer(work, buyer.customerId, .read)
            } catch let problem as Problem where problem.status == .notFound || problem.status == .forbidden {
                unknown.append(.init(field: "\(field)[\(index)].customerId", message: "is not a customer you can see"))
            }
        }
        guard unknown.isEmpty else {
            throw Problem(status: .unprocessableContent, code: "unknown-reference", detail: "A buyer is not a customer you can see.", errors: unknown)
        }
        return resolvedBuyers(input)
    }

    /// The deal's owner: the one named (an active user holding deals.create in the room's project)
    /// or the signed-in caller; an API key must name one.
    static func owner(_ work: UnitOfWork, _ context: EstateRequestContext, _ ownerID: UUID?, room: Room) async throws -> UUID {
        let caller = try context.requireCaller()
        guard let id = ownerID ?? caller.user?.id else {
            throw Problem.validation([FieldViolation(field: "ownerId", message: "is required when an API key starts a deal")])
        }
        if id != caller.user?.id {
            guard let found = try await work.users.find(groupID: caller.groupID, id: id), found.user.active,
                  try await work.roles.scope(groupID: caller.groupID, userID: id).permissions(groupID: room.groupID, unitPath: room.projectPath)
                      .contains(.dealsCreate) else {
                throw Problem.validation([FieldViolation(field: "ownerId", message: "is not an active user who can make deals in the project")])
            }
        }
        return id
    }

    /// What a subscription agrees: the price from the quote, the deposit, the terms and the date.
    struct Agreement {
        let pricing: DealPricing
        let deposit: Deposit
        let date: LocalDate
    }

    /// Prices a subscription of `room` and checks it: the payment method must be one the schedule
    /// knows, the terms and the deposit must fit the price, and a price below the floor needs the
    /// deal's approved price_approval request (`approval`: the deal and the request named).
    static func agree(_ work: UnitOfWork, room: Room, _ input: SubscriptionInput, deposit reserved: Deposit?, today: LocalDate,
                      at moment: Date, approval: (dealID: UUID, requestID: UUID)?) async throws -> Agreement {
        var violations: [FieldViolation] = []
        guard let method = PaymentMethod(rawValue: input.paymentMethod) else {
            throw Problem.validation([FieldViolation(field: "subscription.paymentMethod",
                message: "must be one of \(PaymentMethod.allCases.map(\.rawValue).joined(separator: ", ")) (the methods a payment schedule is made for)")])
        }
        var date = today
        if let text = input.subscribedOn {
            if let parsed = LocalDate(text) { date = parsed } else {
                violations.append(FieldViolation(field: "subscription.subscribedOn", message: "must be a date YYYY-MM-DD"))
            }
        }
        guard let deposit = input.deposit.map({ Deposit(kind: $0.kind, amount: $0.amount) }) ?? reserved else {
            throw Problem.validation([FieldViolation(field: "subscription.deposit", message: "is required: the reservation had none")])
        }
        try check(violations, prefix: "")
        let quote = try await DiscountController.quote(work, room: room, paymentMethod: method.rawValue, discountIds: input.discountIds ?? [],
                                                       at: moment, fieldPrefix: "subscription.")
        let terms = (input.terms ?? PaymentTermsInput(downPaymentRatio: nil, instalmentCount: nil, instalmentIntervalMonths: nil,
                                                      commercialLoan: nil, providentFundLoan: nil, downPaymentDueDays: nil,
                                                      loanDueDays: nil)).terms(method)
        for found in deposit.violations(price: quote.finalPrice) + PaymentSchedule.violations(price: quote.finalPrice, deposit: deposit.amount, terms: terms) {
            let violation = FieldViolation(field: "subscription.\(found.field)", message: found.message)
            if !violations.contains(violation) { violations.append(violation) }
        }
        try check(violations, prefix: "")
        var approvalID: UUID?
        if quote.breachesFloor {
            guard let approval else {
                throw Problem(status: .unprocessableContent, code: "floor-price-approval-required",
                              detail: "The price \(quote.finalPrice) is below the room's floor price; a manager must approve it first "
                                  + "(a price_approval change request of the reserved deal).",
                              errors: [.init(field: "subscription.discountIds", message: "take the price below the floor price")])
            }
            guard try await work.deals.usePriceApproval(groupID: room.groupID, dealID: approval.dealID, requestID: approval.requestID,
                                                        finalPrice: quote.finalPrice) else {
                throw Problem(status: .unprocessableContent, code: "floor-price-approval-required",
                              detail: "The named price approval is not an approved price_approval request of this deal for the price \(quote.finalPrice).",
                              errors: [.init(field: "subscription.priceApprovalId", message: "is not an approval of this price")])
            }
            approvalID = approval.requestID
        }
        return Agreement(pricing: DealPricing(listPrice: quote.listPrice, discounts: quote.steps.map(DealDiscount.init), finalPrice: quote.finalPrice,
                                              floorPrice: quote.floorPrice, terms: terms, priceApprovalID: approvalID),
                         deposit: deposit, date: date)
    }

    /// The room's sales-control event of `step`, on the locked room, with its history row naming the deal (and why).
    static func moveRoom(_ work: UnitOfWork, _ room: Room, step: DealStep, dealID: UUID, actor: String, reason: String? = nil) async throws {
        guard let event = step.roomEvent else { return }
        let next: RoomStatus
        do {
            next = try SalesControl.next(from: room.status, on: event, onSharedLand: room.attributes.sharedLand)
        } catch {
            throw InventoryError.illegalTransition(roomID: room.id, current: room.status, event: event)
        }
        _ = try await work.rooms.changeStatus(room, RoomStatusChange(id: UUIDv7.make(), roomID: room.id, from: room.status, to: next,
                                                                     event: event, actor: actor, reason: reason, dealID: dealID))
    }

    static func check(_ violations: [FieldViolation], prefix: String) throws {
        guard violations.isEmpty else {
            throw Problem.validation(violations.map { FieldViolation(field: prefix + $0.field, message: $0.message) })
        }
    }

    /// What the history keeps of a deal: the deal as the API shows it (without its receivables).
    static func snapshot(_ deal: Deal) -> DealBody { DealBody(deal, receivables: nil) }

    static func audit(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ deal: Deal, before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "deal", objectID: deal.id, orgUnitID: deal.projectID,
                                       changes: AuditChange.diff(before: before, after: ["stage": deal.stage.rawValue,
                                                                                        "roomId": deal.roomID.uuidString,
                                                                                        "finalPrice": deal.pricing?.finalPrice.description]),
                                       groupID: deal.groupID)
    }

    /// The deal with its current receivables, its ETag and (when created) its Location.
    static func response(_ work: UnitOfWork, _ deal: Deal, receivables known: [StoredReceivable]? = nil, status: HTTPResponse.Status,
                         request: Request, context: EstateRequestContext) async throws -> Response {
        let receivables: [StoredReceivable]
        if let known { receivables = known } else { receivables = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id) }
        let milestones = try await work.dealSteps.milestones(groupID: deal.groupID, dealID: deal.id)
        var response = try Versioning.response(DealBody(deal, receivables: receivables, milestones: milestones), status: status, version: deal.version,
                                               request: request, context: context)
        if status == .created { response.headers[.location] = "/v1/deals/\(deal.id.uuidString)" }
        return response
    }
}
