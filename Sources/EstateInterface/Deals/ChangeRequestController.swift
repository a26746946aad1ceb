import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// Special transactions (DOMAIN.md, "The sale, step by step"): a change of a deal is requested with
/// its reason (checked in full and previewed), approved or rejected by a holder of `deals.approve`,
/// then executed in one transaction that records the deal before and after.
///
/// Permissions, at the deal's project: requesting and executing need `deals.write`, or `deals.cancel`
/// for a cancellation or termination (the routes need either somewhere); deciding
/// needs `deals.approve`, and nobody approves their own request (they may reject it: a withdrawal).
struct ChangeRequestController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The longest reason or decision note, in Unicode scalars (JSON Schema's characters).
    static let maximumTextLength = 500

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/deals/{id}/change-requests", access: .anyOf([.dealsWrite, .dealsCancel])) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: ChangeRequestInput.self, context: context)
            let reason = try body.validated()
            let caller = try context.requireCaller()
            let moment = now()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let deal = try await context.deals.deal(work, id, Self.permission(of: body.kind), lock: true)
                    try ChangeRequests.check(body.kind, at: deal.stage)
                    let requestID = UUIDv7.make()
                    let plan = try await ChangePlan.make(work, context, deal, body.kind, body.payload, requestID: requestID, at: moment)
                    try await work.changeRequests.insert(NewChangeRequest(
                        groupID: deal.groupID, id: requestID, dealID: deal.id, kind: body.kind, reason: reason, payload: body.payload,
                        requestedBy: caller.actor.historyText, before: plan.beforeBody, after: plan.afterBody(deal: plan.deal, lines: plan.lines)))
                    let stored = try await Self.stored(work, deal.groupID, requestID)
                    try await Self.audit(work, context, "change_request.request", stored, from: nil)
                    var response = try Versioning.response(try ChangeRequestBody(stored), status: .created, version: stored.version,
                                                           request: request, context: context)
                    response.headers[.location] = "/v1/change-requests/\(requestID.uuidString)"
                    return response
                }
            }
        }

        routes.add(.get, "/v1/deals/{id}/change-requests", access: .permission(.dealsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let items = try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .dealsRead)
                return try await work.changeRequests.search(groupID: deal.groupID, under: [deal.projectID], ChangeRequestQuery(dealID: deal.id),
                                                            after: nil, limit: 1000)
            }
            return ChangeRequestPage(items: try items.map(ChangeRequestBody.init), nextCursor: nil)
        }

        routes.add(.get, "/v1/change-requests", access: .permission(.dealsRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            var reader = QueryReader(request)
            let query = ChangeRequestQuery(statuses: reader.values("status", of: ChangeRequestStatus.self),
                                           kinds: reader.values("kind", of: ChangeRequestKind.self), projectID: reader.uuid("projectId"))
            try reader.finish()
            let roots = Array(caller.scope.units(with: .dealsRead))
            let items = try await database.read { work in
                try await work.changeRequests.search(groupID: caller.groupID, under: roots, query, after: page.after, limit: page.limit)
            }
            return ChangeRequestPage(items: try items.map(ChangeRequestBody.init), nextCursor: page.nextCursor(after: items, lastID: items.last?.id))
        }

        routes.add(.get, "/v1/change-requests/{id}", access: .permission(.dealsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let stored = try await database.unitOfWork { work in try await Self.changeRequest(work, context, id, .dealsRead) }
            return try Versioning.response(try ChangeRequestBody(stored), version: stored.version, request: request, context: context)
        }

        for action in [ChangeRequestAction.approve, .reject] {
            routes.add(.post, "/v1/change-requests/{id}/\(action.rawValue)", access: .permission(.dealsApprove)) { request, context in
                let id = try context.parameters.require("id", as: UUID.self)
                let body = try await request.decode(as: ChangeDecisionInput.self, context: context)
                let stored = try await database.unitOfWork { work in
                    try await Self.decide(work, context, id: id, action, note: body.note)
                }
                return try Versioning.response(try ChangeRequestBody(stored), version: stored.version, request: request, context: context)
            }
        }

        routes.add(.post, "/v1/change-requests/{id}/execute", access: .anyOf([.dealsWrite, .dealsCancel])) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let moment = now()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let stored = try await Self.execute(work, context, id: id, at: moment)
                    return try Versioning.response(try ChangeRequestBody(stored), version: stored.version, request: request, context: context)
                }
            }
        }
    }

    // MARK: Decisions and execution

    /// The permission that requests and executes a change of `kind`.
    static func permission(of kind: ChangeRequestKind) -> Permission {
        kind.dealStep == nil ? .dealsWrite : .dealsCancel
    }

    /// Approves or rejects a change request: the one place a decision is made, for the API and for a
    /// decision that comes from the OA system (issue 7), whose caller is then the OA system's key.
    /// The caller needs `deals.approve` at the deal's project; nobody approves a request they made
    /// (403 `own-change-request`), a rejection needs a note. A pending request is approved or
    /// rejected; an approved one that can no longer be executed is rejected (409 otherwise).
    /// `version`, when given, is the version the decider saw (412 `version-mismatch` when the request
    /// changed since); `external` is the person who decided in another system.
    static func decide(_ work: UnitOfWork, _ context: EstateRequestContext, id: UUID, _ action: ChangeRequestAction,
                       note: String?, version: Int? = nil, external: ExternalDecider? = nil) async throws -> StoredChangeRequest {
        let trimmed = note.nonBlankTrimmed
        if let note, note.unicodeScalars.count > maximumTextLength {
            throw Problem.validation([FieldViolation(field: "note", message: "must be at most \(maximumTextLength) characters")])
        }
        if action == .reject && trimmed == nil {
            throw Problem.validation([FieldViolation(field: "note", message: "is required to reject: say why")])
        }
        let actor = try context.requireCaller().actor.historyText
        let found = try await changeRequest(work, context, id, .dealsApprove, lock: true)
        if let version, version != found.version { throw VersionConflict(object: "change request", current: found.version) }
        let next = try ChangeRequests.next(from: found.status, on: action)
        if action == .approve && (found.requestedBy == actor || external?.actor == found.requestedBy) {
            throw Problem(status: .forbidden, code: "own-change-request",
                          detail: "Nobody approves a change they requested; another holder of deals.approve decides.")
        }
        guard try await work.changeRequests.decide(found, from: found.status, to: next, by: actor, note: trimmed) else {
            throw ChangeRequestError.notAllowed(from: found.status, action: action)
        }
        let stored = try await Self.stored(work, found.groupID, found.id)
        try await audit(work, context, "change_request.\(action.rawValue)", stored, from: found.status, details: external?.audit ?? [:])
        return stored
    }

    /// Executes an approved change request in the caller's transaction: the change is planned again on
    /// the deal as it is now (its stage checked again), applied, recorded in the deal's history, and the
    /// request keeps the deal before and after.
    static func execute(_ work: UnitOfWork, _ context: EstateRequestContext, id: UUID, at moment: Date) async throws -> StoredChangeRequest {
        let caller = try context.requireCaller()
        let unlocked = try await changeRequest(work, context, id, .dealsRead)
        // The deal first, then the request: the order every writer of both takes.
        let deal = try await context.deals.deal(work, unlocked.dealID, permission(of: unlocked.kind), lock: true)
        let found = try await changeRequest(work, context, id, permission(of: unlocked.kind), lock: true)
        _ = try ChangeRequests.next(from: found.status, on: .execute)
        guard found.kind != .priceApproval else {
            throw Problem(status: .conflict, code: "executed-by-subscription",
                          detail: "A price approval is executed by subscribing the reserved deal with it (priceApprovalId).")
        }
        try ChangeRequests.check(found.kind, at: deal.stage)
        let payload = try JSONDecoder().decode(ChangePayload.self, from: Data(found.payload.utf8))
        let plan = try await ChangePlan.make(work, context, deal, found.kind, payload, requestID: found.id, at: moment)
        if let approved = try found.after.map({ try JSONDecoder().decode(ApprovedPreview.self, from: Data($0.utf8)) })?.deal?.pricing?.finalPrice,
           let price = plan.deal.pricing?.finalPrice, approved != price {
            throw Problem(status: .conflict, code: "change-request-outdated",
                          detail: "The price is now \(price), not the \(approved) that was approved; reject this request and request the change again.")
        }
        let stored = try await plan.apply(work, actor: caller.actor.historyText, reason: found.reason)
        // The deal's tasks follow: all cancelled when it ended, the payment tasks re-planned otherwise.
        if !stored.stage.holdsRoom {
            try await work.dealTasks.cancelAll(of: stored, actor: caller.actor.historyText, note: "the deal was \(stored.stage.rawValue)")
        } else {
            try await work.dealTasks.syncPayments(of: stored, actor: caller.actor.historyText)
        }
        let after = plan.afterBody(deal: stored, lines: try await work.deals.receivables(groupID: stored.groupID, dealID: stored.id))
        try await work.deals.record(stored, event: found.kind.dealStep?.rawValue ?? found.kind.rawValue, from: deal.stage,
                                    before: plan.beforeBody, after: after, actor: caller.actor.historyText, reason: found.reason)
        guard try await work.changeRequests.executed(found, before: plan.beforeBody, after: after) else {
            throw ChangeRequestError.notAllowed(from: found.status, action: .execute)
        }
        try await DealController.audit(work, context, "deal.\(found.kind.rawValue)", stored,
                                       before: ["stage": deal.stage.rawValue, "roomId": deal.roomID.uuidString,
                                                "finalPrice": deal.pricing?.finalPrice.description])
        let executed = try await Self.stored(work, found.groupID, found.id)
        try await audit(work, context, "change_request.execute", executed, from: found.status)
        return executed
    }

    // MARK: Pieces

    /// The change request, when the caller holds `permission` at its deal's project (else 404 or 403).
    static func changeRequest(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID, _ permission: Permission,
                              lock: Bool = false) async throws -> StoredChangeRequest {
        let caller = try context.requireCaller()
        guard let found = try await work.changeRequests.find(groupID: caller.groupID, id: id, lock: lock) else { throw Problem.notFound() }
        try context.authorize(permission, groupID: found.groupID, unitPath: found.projectPath)
        return found
    }

    static func stored(_ work: UnitOfWork, _ groupID: UUID, _ id: UUID) async throws -> StoredChangeRequest {
        guard let stored = try await work.changeRequests.find(groupID: groupID, id: id) else { throw DataError.internalFailure("change request vanished") }
        return stored
    }

    /// The request's audit entry; `details` adds fields the entry records (e.g. who decided in the OA system).
    static func audit(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ request: StoredChangeRequest,
                      from: ChangeRequestStatus?, details: [String: String?] = [:]) async throws {
        let after: [String: String?] = ["status": request.status.rawValue, "kind": request.kind.rawValue, "dealId": request.dealID.uuidString]
        try await context.recordChange(work, action: action, objectType: "change_request", objectID: request.id, orgUnitID: request.projectID,
                                       changes: AuditChange.diff(before: ["status": from?.rawValue], after: after.merging(details) { kept, _ in kept }),
                                       groupID: request.groupID)
    }
}

/// A change request decided in another system (the OA system) and passed on by that system's API
/// key: the person who decided there, their Estate actor when they are an Estate user (so that
/// nobody approves their own request through OA either), and what the audit entry records of them
/// beside the key that sent the decision.
struct ExternalDecider: Sendable {
    /// `user:<id>` when the person is an Estate user.
    var actor: String?
    var audit: [String: String?]
}

/// A change worked out on a deal as it is: the deal after, its receivables after, and what moves.
/// Made when the change is requested (the preview the approver sees) and again when it is executed
/// (what is applied), so that both follow one set of rules.
struct ChangePlan {
    let kind: ChangeRequestKind
    /// The deal as it is, and its current receivables.
    let before: Deal
    let existing: [StoredReceivable]
    /// The deal after the change (stage, room, price, buyers, credit, end).
    var deal: Deal
    /// The receivables after the change (new lines with provisional ids: a preview).
    var lines: [StoredReceivable]
    /// change_room: the new room.
    var newRoom: Room?
    /// A new price or payment method: the regenerated schedule.
    var schedule: RegeneratedSchedule?
    /// Cancellation, termination: collected money moved to the credit, and the refund.
    var releases: [CreditRelease] = []
    var refund: ChangeRefundBody?
    var priceApproval: PriceApprovalBody?

    init(kind: ChangeRequestKind, deal: Deal, existing: [StoredReceivable]) {
        self.kind = kind
        before = deal
        self.existing = existing
        self.deal = deal
        lines = existing
    }

    var beforeBody: ChangeOutcomeBody { ChangeOutcomeBody(deal: DealBody(before, receivables: existing)) }

    func afterBody(deal: Deal, lines: [StoredReceivable]) -> ChangeOutcomeBody {
        let belowFloor = deal.pricing.map { pricing in pricing.floorPrice.map { pricing.finalPrice < $0 } ?? false }
        return ChangeOutcomeBody(deal: DealBody(deal, receivables: lines), releasedToCredit: schedule.map(\.credit),
                                 belowFloor: schedule == nil ? nil : belowFloor, refund: refund, priceApproval: priceApproval)
    }

    /// Works the change of `kind` asked by `payload` out on the locked `deal` (whose stage allows the
    /// kind): 400 for fields that break a rule, 422 for references to what the deal's project has not,
    /// 409 for a new room that is not available.
    static func make(_ work: UnitOfWork, _ context: EstateRequestContext, _ deal: Deal, _ kind: ChangeRequestKind, _ payload: ChangePayload,
                     requestID: UUID, at moment: Date) async throws -> ChangePlan {
        var plan = ChangePlan(kind: kind, deal: deal, existing: try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id, lock: true))
        switch kind {
        case .changeRoom:
            let room = try await plan.targetRoom(work, payload.roomId)
            plan.newRoom = room
            plan.deal.roomID = room.id
            if let pricing = deal.pricing {
                let method = try payload.method() ?? pricing.terms.method
                let terms = payload.terms?.terms(method) ?? (method == pricing.terms.method ? pricing.terms : PaymentTerms(method: method))
                try await plan.reprice(work, room: room, method: method, discountIds: payload.discountIds ?? pricing.discounts.map(\.schemeID),
                                       terms: terms, requestID: requestID, at: moment)
            } else {
                var violations: [FieldViolation] = []
                for field in ["discountIds", "paymentMethod", "terms"] where payload.present.contains(field) {
                    violations.append(FieldViolation(field: field, message: "applies to a subscribed deal only (a reservation has no price yet)"))
                }
                violations += deal.deposit?.violations(price: room.listPrice) ?? []
                try DealController.check(violations, prefix: "")
            }
        case .changeBuyers:
            plan.deal.buyers = try await DealController.buyers(work, context, payload.buyers ?? [], field: "buyers")
        case .changeDiscount, .changePaymentMethod:
            guard let pricing = deal.pricing else { throw ChangeRequestError.kindNotAllowed(kind: kind, stage: deal.stage) }
            let method = try payload.method() ?? pricing.terms.method
            let terms = kind == .changeDiscount ? pricing.terms : payload.terms?.terms(method) ?? PaymentTerms(method: method)
            try await plan.reprice(work, room: try await plan.currentRoom(work), method: method,
                                   discountIds: payload.discountIds ?? pricing.discounts.map(\.schemeID), terms: terms,
                                   requestID: requestID, at: moment)
            if kind == .changePaymentMethod { plan.deal.stage = DealFlow.stageAfterPaymentMethodChange(deal.stage) }
        case .cancellation, .termination:
            guard let reason = payload.refundReason, let step = kind.dealStep else {
                throw Problem.validation([FieldViolation(field: "refundReason", message: "is required for \(kind.rawValue)")])
            }
            let current = plan.existing.map(\.line)
            let collected = CancellationRefund.collected(on: current)
            let refund = try CancellationRefund.compute(collected: collected, depositKind: deal.deposit?.kind, reason: reason)
            plan.releases = refund.releases(from: current)
            let released = plan.releases.reduce(Money.zero) { $0 + $1.amount }
            plan.deal.stage = try DealFlow.transition(from: deal.progress, by: step)
            plan.deal.endedReason = reason.rawValue
            plan.deal.credit = deal.credit + released
            plan.refund = ChangeRefundBody(refund, reason: reason, depositKind: deal.deposit?.kind, collected: collected,
                                           creditBefore: deal.credit, released: released)
            let releasedByLine = Dictionary(plan.releases.map { ($0.lineID, $0.amount) }, uniquingKeysWith: { $0 + $1 })
            plan.lines = plan.existing.compactMap { stored in
                var line = stored
                line.line.paid = line.line.paid - (releasedByLine[line.line.id] ?? .zero)
                guard line.line.paid > .zero else { return nil }
                line.line.amount = line.line.paid
                return line
            }
        case .priceApproval:
            let room = try await plan.currentRoom(work)
            let method = try payload.method() ?? .fullPayment
            let discountIds = payload.discountIds ?? []
            let quote = try await DiscountController.quote(work, room: room, paymentMethod: method.rawValue, discountIds: discountIds, at: moment)
            guard quote.finalPrice == payload.finalPrice else {
                throw Problem(status: .unprocessableContent, code: "price-mismatch",
                              detail: "These discounts and payment method give \(quote.finalPrice); ask for the approval of that price.",
                              errors: [.init(field: "finalPrice", message: "is not the quoted price \(quote.finalPrice)")])
            }
            guard quote.breachesFloor else {
                throw Problem(status: .unprocessableContent, code: "price-approval-not-needed",
                              detail: "The price \(quote.finalPrice) is not below the room's floor price; subscribe without an approval.",
                              errors: [.init(field: "finalPrice", message: "is not below the floor price")])
            }
            plan.priceApproval = PriceApprovalBody(listPrice: quote.listPrice, floorPrice: quote.floorPrice, finalPrice: quote.finalPrice,
                                                   paymentMethod: method.rawValue, discountIds: discountIds)
        }
        return plan
    }

    /// The deal's room.
    func currentRoom(_ work: UnitOfWork) async throws -> Room {
        guard let room = try await work.rooms.find(groupID: before.groupID, id: before.roomID) else { throw Problem.notFound() }
        return room
    }

    /// The room a change of room goes to: another room of the deal's project (422 otherwise), available
    /// (409 `illegal-transition` naming its status otherwise).
    func targetRoom(_ work: UnitOfWork, _ id: UUID?) async throws -> Room {
        guard let id, id != before.roomID else {
            throw Problem.validation([FieldViolation(field: "roomId", message: "must be another room than the deal's")])
        }
        guard let room = try await work.rooms.find(groupID: before.groupID, id: id), room.projectID == before.projectID else {
            throw Problem(status: .unprocessableContent, code: "unknown-reference", detail: "A deal moves to another room of its own project.",
                          errors: [.init(field: "roomId", message: "is not a room of the deal's project")])
        }
        if let event = roomStep.roomEvent, room.status != .available {
            throw InventoryError.illegalTransition(roomID: room.id, current: room.status, event: event)
        }
        return room
    }

    /// The step whose room event takes the new room to the deal's stage (a change of room keeps the stage).
    var roomStep: DealStep { before.stage == .reserved ? .reserve : .subscribe }

    /// Prices the deal again (the quote of `room` with `discountIds` and `method`), checks the deposit
    /// and `terms` against the new price, and regenerates the schedule from the subscription date with
    /// the collected money kept. A price below the floor is allowed: approving the request approves it
    /// (the deal's price approval is then this request).
    mutating func reprice(_ work: UnitOfWork, room: Room, method: PaymentMethod, discountIds: [UUID], terms: PaymentTerms,
                          requestID: UUID, at moment: Date) async throws {
        let quote = try await DiscountController.quote(work, room: room, paymentMethod: method.rawValue, discountIds: discountIds, at: moment)
        let deposit = before.deposit?.amount ?? .zero
        var violations: [FieldViolation] = []
        for found in (before.deposit?.violations(price: quote.finalPrice) ?? []) + PaymentSchedule.violations(price: quote.finalPrice, deposit: deposit, terms: terms)
        where !violations.contains(found) {
            violations.append(found)
        }
        try DealController.check(violations, prefix: "")
        let priceLines = existing.filter { $0.line.kind.isPartOfPrice }
        let date: LocalDate
        if let subscribedOn = before.subscribedOn { date = subscribedOn } else {
            date = LocalDate(moment, in: try await work.groups.timeZone(groupID: before.groupID))
        }
        let schedule = try PaymentSchedule.regenerate(existing: priceLines.map(\.line), price: quote.finalPrice, deposit: deposit,
                                                      subscriptionDate: date, terms: terms)
        self.schedule = schedule
        deal.pricing = DealPricing(listPrice: quote.listPrice, discounts: quote.steps.map(DealDiscount.init), finalPrice: quote.finalPrice,
                                   floorPrice: quote.floorPrice, terms: terms, priceApprovalID: quote.breachesFloor ? requestID : nil)
        deal.credit = before.credit + schedule.credit
        // The preview: kept lines with their new amounts, new lines after the last position, lines outside the price as they are.
        let byID = Dictionary(existing.map { ($0.line.id, $0) }, uniquingKeysWith: { first, _ in first })
        var position = existing.map(\.position).max() ?? 0
        let scheduled: [StoredReceivable] = schedule.lines.map { line in
            if let id = line.keptLineID, var kept = byID[id] {
                kept.line.amount = line.amount
                kept.line.paid = line.paid
                return kept
            }
            position += 1
            return StoredReceivable(line: ReceivableLine(id: UUIDv7.make(), kind: line.kind, dueDate: line.dueDate, amount: line.amount),
                                    dealID: before.id, position: position)
        }
        lines = (existing.filter { !$0.line.kind.isPartOfPrice } + scheduled).sorted { ($0.position, $0.line.id.uuidString) < ($1.position, $1.line.id.uuidString) }
    }

    /// Applies the change in the caller's transaction: rooms moved (each with its sales-control event
    /// and a history row naming the deal), the schedule regenerated or the receivables closed, the deal
    /// stored. Returns the stored deal.
    func apply(_ work: UnitOfWork, actor: String, reason: String) async throws -> Deal {
        let groupID = before.groupID
        switch kind {
        case .changeRoom:
            guard let newRoom else { throw DataError.internalFailure("change of room without a room") }
            let rooms = try await work.rooms.lock(groupID: groupID, ids: [before.roomID, newRoom.id])
            guard let old = rooms.first(where: { $0.id == before.roomID }), let new = rooms.first(where: { $0.id == newRoom.id }) else {
                throw Problem.notFound()
            }
            try await work.deals.moveDeal(groupID: groupID, id: before.id, toRoom: new.id)
            try await DealController.moveRoom(work, new, step: roomStep, dealID: before.id, actor: actor, reason: reason)
            try await DealController.moveRoom(work, old, step: .cancel, dealID: before.id, actor: actor, reason: reason)
        case .cancellation, .termination:
            try await work.deals.release(groupID: groupID, dealID: before.id, releases)
            try await work.deals.closeReceivables(groupID: groupID, dealID: before.id)
            guard let room = try await work.rooms.lock(groupID: groupID, id: before.roomID), let step = kind.dealStep else { throw Problem.notFound() }
            try await DealController.moveRoom(work, room, step: step, dealID: before.id, actor: actor, reason: reason)
        case .changeBuyers, .changeDiscount, .changePaymentMethod, .priceApproval:
            break
        }
        if let schedule {
            _ = try await work.deals.applySchedule(groupID: groupID, dealID: before.id,
                                                   existing: existing.filter { $0.line.kind.isPartOfPrice }, schedule)
        }
        return try await work.deals.update(deal)
    }
}
