import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// Money at the desk: collections allocated to a deal's receivables (oldest due buyer lines first,
/// or as told; the rest held as credit), each acknowledged by a receipt with the project's next
/// gap-free number in the same transaction; voids of receipts (the number stays, the collection is
/// reversed); refunds (from the credit first, then from the lines named); the project's receipt
/// register. Every POST accepts `Idempotency-Key`.
struct CollectionController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The most allocations one collection or refund may name.
    static let maximumAllocations = 100

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/deals/{id}/collections", access: .permission(.paymentsCollect)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: CollectionInput.self, context: context)
            let caller = try context.requireCaller()
            let payment = try Self.payment(body)
            var violations: [FieldViolation] = []
            let payer = MoneyText.check(body.payer, field: "payer", required: false, limit: 200, into: &violations)
            let reference = MoneyText.check(body.reference, field: "reference", required: false, limit: 200, into: &violations)
            violations += Self.allocationCount(body.allocations)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let moment = now()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let deal = try await context.deals.deal(work, id, .paymentsCollect, lock: true)
                    guard deal.stage.holdsRoom else { throw Self.ended(deal) }
                    let timeZone = try await work.groups.timeZone(groupID: deal.groupID)
                    let receivedOn = try Self.day(body.receivedOn, field: "receivedOn", today: LocalDate(moment, in: timeZone))
                    let amount: Money
                    var rate: StoredExchangeRate?
                    switch payment {
                    case .home(let money):
                        amount = money
                    case .foreign(let foreign):
                        let found = try await Self.rate(work, groupID: deal.groupID, currency: foreign.currency, on: receivedOn)
                        amount = try Self.check(rename: ["amount": "foreignAmount"]) { () throws(DealInputError) in
                            try ExchangeRate(currency: foreign.currency, rate: found.rate).convert(foreign)
                        }
                        let limits = MoneyLimits.violations(amount, field: "foreignAmount")
                        guard limits.isEmpty else {
                            throw Problem.validation(limits.map { FieldViolation(field: $0.field, message: "converts to \(amount) CNY, which \($0.message)") })
                        }
                        rate = found
                    }
                    let lines = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id, lock: true)
                    let allocation = try Self.check { () throws(DealInputError) in
                        try CollectionAllocation.collect(amount, on: lines.map(\.line), as: body.allocations?.map(\.allocation))
                    }
                    let collection = StoredCollection(groupID: deal.groupID, id: UUIDv7.make(), dealID: deal.id, projectID: deal.projectID,
                                                      method: body.method, amount: amount, foreign: payment.foreign, rate: rate?.rate,
                                                      rateDate: rate?.date, receivedOn: receivedOn, payer: payer, reference: reference,
                                                      toCredit: allocation.credit, recordedBy: caller.actor.historyText, recordedAt: moment)
                    try await work.collections.insert(collection, allocations: allocation.allocations)
                    var changed = deal
                    changed.credit = deal.credit + allocation.credit
                    let stored = try await work.deals.update(changed)
                    try await work.dealTasks.syncPayments(of: stored, actor: caller.actor.historyText)
                    guard let project = try await work.orgUnits.find(groupID: deal.groupID, id: deal.projectID) else { throw Problem.notFound() }
                    let receipt = try await work.receipts.issue(for: collection, prefix: ReceiptNumber.prefix(forProjectCode: project.code),
                                                                timeZone: timeZone, issuedBy: caller.actor.historyText)
                    let result = CollectionBody(collection, allocations: try await work.collections.allocations(groupID: deal.groupID, dealID: deal.id),
                                                receipt: receipt)
                    try await work.deals.record(stored, event: "payment_received", from: stored.stage, after: result, actor: caller.actor.historyText)
                    try await work.events.append(PaymentReceived(dealId: deal.id, collectionId: collection.id, amount: amount,
                                                                 method: body.method.rawValue, receivedOn: receivedOn, recordedAt: moment,
                                                                 receiptNumber: receipt.number.description), groupID: deal.groupID)
                    try await Self.audit(work, context, "collection.record", "collection", collection.id, of: deal, after: [
                        "amount": amount.description, "method": body.method.rawValue, "receipt": receipt.number.description,
                        "toCredit": allocation.credit.description, "foreignAmount": payment.foreign?.description, "rate": rate?.rate.description,
                    ])
                    var response = try Self.created(result, request, context)
                    response.headers[.location] = "/v1/receipts/\(receipt.id.uuidString.lowercased())"
                    return response
                }
            }
        }

        routes.add(.get, "/v1/deals/{id}/collections", access: .permission(.paymentsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .paymentsRead)
                let allocations = try await work.collections.allocations(groupID: deal.groupID, dealID: deal.id)
                let receipts = Dictionary(try await work.receipts.receipts(groupID: deal.groupID, dealID: deal.id).map { ($0.collection.id, $0) },
                                          uniquingKeysWith: { first, _ in first })
                return CollectionPage(items: try await work.collections.collections(groupID: deal.groupID, dealID: deal.id).map {
                    CollectionBody($0, allocations: allocations, receipt: receipts[$0.id])
                })
            }
        }

        routes.add(.get, "/v1/deals/{id}/receipts", access: .permission(.paymentsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .paymentsRead)
                return ReceiptPage(items: try await work.receipts.receipts(groupID: deal.groupID, dealID: deal.id).map(ReceiptBody.init))
            }
        }

        routes.add(.get, "/v1/receipts/{id}", access: .permission(.paymentsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let receipt = try await Self.receipt(work, context, id)
                _ = try await context.deals.deal(work, receipt.dealID, .paymentsRead)
                return ReceiptBody(receipt)
            }
        }

        routes.add(.post, "/v1/receipts/{id}/void", access: .permission(.receiptsVoid)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let (idempotency, reason) = try await CollectionController.voidRequest(&request, context)
            let caller = try context.requireCaller()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let found = try await Self.receipt(work, context, id)
                    let deal = try await context.deals.deal(work, found.dealID, .receiptsVoid, lock: true)
                    guard let receipt = try await work.receipts.find(groupID: deal.groupID, id: id, lock: true) else { throw Problem.notFound() }
                    guard !receipt.isVoided else { throw Self.alreadyVoided("receipt", receipt.number.description) }
                    let lines = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id, includingSuperseded: true, lock: true)
                    let paid = try await work.collections.allocations(groupID: deal.groupID, dealID: deal.id)
                        .filter { $0.collectionID == receipt.collection.id && $0.kind == .collection }
                        .map { Allocation(lineID: $0.receivableID, amount: $0.amount) }
                    let reversal: CollectionReversal
                    do throws(CollectionReversalError) {
                        reversal = try CollectionReversal.reverse(receipt.collection.amount, paid: paid, lines: lines.map(\.line), credit: deal.credit)
                    } catch {
                        switch error {
                        case .moneyMoved(let missing):
                            throw Problem(status: .conflict, code: "collection-money-moved",
                                          detail: "\(missing) of the collection on receipt \(receipt.number) is no longer on the deal (refunded or moved "
                                              + "since); the receipt cannot be voided until that is undone.")
                        }
                    }
                    guard try await work.receipts.void(groupID: deal.groupID, id: receipt.id, by: caller.actor.historyText, reason: reason) else {
                        throw Self.alreadyVoided("receipt", receipt.number.description)
                    }
                    try await work.collections.reverse(receipt.collection, reversal)
                    var changed = deal
                    changed.credit = deal.credit - reversal.fromCredit
                    let stored = try await work.deals.update(changed)
                    try await work.dealTasks.syncPayments(of: stored, actor: caller.actor.historyText)
                    guard let voided = try await work.receipts.find(groupID: deal.groupID, id: receipt.id) else { throw Problem.notFound() }
                    let result = ReceiptBody(voided)
                    try await work.deals.record(stored, event: "receipt_voided", from: stored.stage, before: ReceiptBody(receipt), after: result,
                                                actor: caller.actor.historyText, reason: reason)
                    try await work.events.append(ReceiptVoided(dealId: deal.id, receiptId: receipt.id, receiptNumber: receipt.number.description,
                                                               amount: receipt.collection.amount, reason: reason), groupID: deal.groupID)
                    try await Self.audit(work, context, "receipt.void", "receipt", receipt.id, of: deal, before: ["voided": "false"], after: [
                        "voided": "true", "reason": reason, "number": receipt.number.description,
                        "reversedFromLines": reversal.fromLines.reduce(Money.zero) { $0 + $1.amount }.description,
                        "reversedFromCredit": reversal.fromCredit.description,
                    ])
                    return try result.response(from: request, context: context)
                }
            }
        }

        routes.add(.post, "/v1/deals/{id}/refunds", access: .permission(.paymentsRefund)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: RefundInput.self, context: context)
            let caller = try context.requireCaller()
            var violations = MoneyLimits.violations(body.amount, field: "amount")
            let reason = MoneyText.check(body.reason, field: "reason", required: true, into: &violations) ?? ""
            violations += Self.allocationCount(body.allocations)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let moment = now()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let deal = try await context.deals.deal(work, id, .paymentsRefund, lock: true)
                    let timeZone = try await work.groups.timeZone(groupID: deal.groupID)
                    let refundedOn = try Self.day(body.refundedOn, field: "refundedOn", today: LocalDate(moment, in: timeZone))
                    let lines = try await work.deals.receivables(groupID: deal.groupID, dealID: deal.id, lock: true)
                    let plan = try Self.check { () throws(DealInputError) in
                        try RefundAllocation.creditFirst(body.amount, lines: lines.map(\.line), credit: deal.credit, as: body.allocations?.map(\.allocation))
                    }
                    let refund = StoredRefund(groupID: deal.groupID, id: UUIDv7.make(), dealID: deal.id, projectID: deal.projectID, method: body.method,
                                              amount: body.amount, fromCredit: plan.fromCredit, refundedOn: refundedOn, reason: reason,
                                              recordedBy: caller.actor.historyText, recordedAt: moment)
                    try await work.collections.insert(refund, allocations: plan.allocations)
                    var changed = deal
                    changed.credit = deal.credit - plan.fromCredit
                    let stored = try await work.deals.update(changed)
                    try await work.dealTasks.syncPayments(of: stored, actor: caller.actor.historyText)
                    let result = RefundBody(refund, allocations: try await work.collections.allocations(groupID: deal.groupID, dealID: deal.id))
                    try await work.deals.record(stored, event: "refund", from: stored.stage, after: result, actor: caller.actor.historyText, reason: reason)
                    try await Self.audit(work, context, "refund.record", "refund", refund.id, of: deal, after: [
                        "amount": body.amount.description, "method": body.method.rawValue, "fromCredit": plan.fromCredit.description, "reason": reason,
                    ])
                    return try Self.created(result, request, context)
                }
            }
        }

        routes.add(.get, "/v1/deals/{id}/refunds", access: .permission(.paymentsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .paymentsRead)
                let allocations = try await work.collections.allocations(groupID: deal.groupID, dealID: deal.id)
                return RefundPage(items: try await work.collections.refunds(groupID: deal.groupID, dealID: deal.id).map {
                    RefundBody($0, allocations: allocations)
                })
            }
        }

        routes.add(.get, "/v1/projects/{id}/receipts", access: .permission(.paymentsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try PageRequest(request)
            var reader = QueryReader(request)
            let from = reader.day("from"), to = reader.day("to")
            try reader.finish()
            return try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .paymentsRead)
                let timeZone = try await work.groups.timeZone(groupID: project.groupID)
                let today = LocalDate(now(), in: timeZone)
                let first = from ?? YearMonth(today).firstDay, last = to ?? today
                let start = first.start(in: timeZone), end = last.adding(days: 1)?.start(in: timeZone) ?? .distantFuture
                let receipts = try await work.receipts.register(groupID: project.groupID, projectID: project.id, from: start, to: end,
                                                                after: page.after, limit: page.limit)
                let years = try await work.receipts.registerYears(groupID: project.groupID, projectID: project.id, from: start, to: end)
                let prefixes = Dictionary(receipts.map { ($0.number.year, $0.number.prefix) }, uniquingKeysWith: { first, _ in first })
                return ReceiptRegisterBody(projectId: project.id, from: first, to: last, years: years.map { year in
                    let prefix = prefixes[year.year]
                    return RegisterYearBody(year: year.year, count: year.count,
                                            first: prefix.flatMap { ReceiptNumber(prefix: $0, year: year.year, sequence: year.firstSequence) },
                                            last: prefix.flatMap { ReceiptNumber(prefix: $0, year: year.year, sequence: year.lastSequence) },
                                            voided: year.voided, liveTotal: year.liveTotal, voidedTotal: year.voidedTotal,
                                            contiguous: year.missing.isEmpty, missingSequences: year.missing)
                }, items: receipts.map(ReceiptBody.init), nextCursor: page.nextCursor(after: receipts, lastID: receipts.last?.id))
            }
        }
    }

    // MARK: Pieces

    /// What a collection's body says was paid.
    enum Payment {
        case home(Money)
        case foreign(ForeignAmount)

        var foreign: ForeignAmount? {
            if case .foreign(let amount) = self { return amount }
            return nil
        }
    }

    /// The payment a body names: exactly one of `amount` (CNY) and `foreignAmount` with its `currency`.
    static func payment(_ body: CollectionInput) throws -> Payment {
        switch (body.amount, body.foreignAmount) {
        case (let amount?, nil):
            var violations = MoneyLimits.violations(amount, field: "amount")
            if body.currency != nil {
                violations.append(FieldViolation(field: "currency", message: "goes with foreignAmount only (amount is in CNY)"))
            }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            return .home(amount)
        case (nil, let text?):
            guard let code = body.currency else {
                throw Problem.validation([FieldViolation(field: "currency", message: "is required with foreignAmount")])
            }
            guard let currency = CurrencyCode(code) else {
                throw Problem.validation([FieldViolation(field: "currency", message: "must be an ISO 4217 code of three upper-case letters")])
            }
            guard currency != .cny else {
                throw Problem.validation([FieldViolation(field: "currency", message: "is the home currency CNY: give amount instead")])
            }
            guard let foreign = ForeignAmount(text, currency: currency) else {
                throw Problem.validation([FieldViolation(field: "foreignAmount",
                    message: "must be a decimal amount with at most \(currency.minorUnitDigits) decimals for \(currency)")])
            }
            guard foreign.minorUnits > 0,
                  foreign.minorUnits <= MoneyLimits.maximumForeignMajorUnits * FixedPoint.power(currency.minorUnitDigits) else {
                throw Problem.validation([FieldViolation(field: "foreignAmount",
                    message: "must be more than 0 and at most \(MoneyLimits.maximumForeignMajorUnits)")])
            }
            return .foreign(foreign)
        default:
            throw Problem.validation([FieldViolation(field: "amount", message: "give exactly one of amount (CNY) and foreignAmount (with currency)")])
        }
    }

    /// The rate a payment in `currency` on `day` converts at (``ExchangeRate/applies(rateDate:to:)``), or 422.
    static func rate(_ work: UnitOfWork, groupID: UUID, currency: CurrencyCode, on day: LocalDate) async throws -> StoredExchangeRate {
        guard let found = try await work.exchangeRates.latest(groupID: groupID, currency: currency, onOrBefore: day),
              ExchangeRate.applies(rateDate: found.date, to: day) else {
            throw Problem(status: .unprocessableContent, code: "exchange-rate-missing",
                          detail: "No \(currency) rate is recorded for \(day) or the \(ExchangeRate.maximumAgeDays) days before it; "
                              + "record it under /v1/exchange-rates first.",
                          errors: [.init(field: "currency", message: "has no rate of the day \(day)")])
        }
        return found
    }

    /// A day of the body (`field`): today when left out, never after today.
    static func day(_ given: LocalDate?, field: String, today: LocalDate) throws -> LocalDate {
        guard let given else { return today }
        guard given <= today else { throw Problem.validation([FieldViolation(field: field, message: "must not be after today, \(today)")]) }
        return given
    }

    static func allocationCount(_ allocations: [AllocationInput]?) -> [FieldViolation] {
        guard let allocations, allocations.count > maximumAllocations else { return [] }
        return [FieldViolation(field: "allocations", message: "must name at most \(maximumAllocations) lines")]
    }

    /// A money rule's result, its violations as 400 in the API's field names (`receivableId`).
    static func check<T>(rename: [String: String] = [:], _ body: () throws(DealInputError) -> T) throws -> T {
        do throws(DealInputError) {
            return try body()
        } catch {
            throw Problem.validation(error.violations.map { violation in
                var field = violation.field
                if field.hasSuffix(".lineId") { field = String(field.dropLast(".lineId".count)) + ".receivableId" }
                return FieldViolation(field: rename[field] ?? field, message: violation.message)
            })
        }
    }

    /// A receipt of the caller's group (404 otherwise; the deal's scope is checked by the caller).
    static func receipt(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID) async throws -> StoredReceipt {
        guard let receipt = try await work.receipts.find(groupID: try context.requireCaller().groupID, id: id) else { throw Problem.notFound() }
        return receipt
    }

    /// The start of a void: the request's Idempotency-Key and its `reason` (required, at most 500 characters).
    static func voidRequest(_ request: inout Request, _ context: EstateRequestContext) async throws -> (IdempotencyGuard, String) {
        let idempotency = try await IdempotencyGuard(&request, context: context)
        let body = try await request.decode(as: VoidInput.self, context: context)
        var violations: [FieldViolation] = []
        let reason = MoneyText.check(body.reason, field: "reason", required: true, into: &violations) ?? ""
        guard violations.isEmpty else { throw Problem.validation(violations) }
        return (idempotency, reason)
    }

    /// An audit entry about a money record of `deal` (filed under the deal's project, naming the deal).
    static func audit(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ objectType: String, _ objectID: UUID,
                      of deal: Deal, before: [String: String?] = [:], after: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: objectType, objectID: objectID, orgUnitID: deal.projectID,
                                       changes: AuditChange.diff(before: before, after: after.merging(["dealId": deal.id.uuidString.lowercased()]) { new, _ in new }),
                                       groupID: deal.groupID)
    }

    /// `result` as a 201.
    static func created(_ result: some ResponseEncodable, _ request: Request, _ context: EstateRequestContext) throws -> Response {
        var response = try result.response(from: request, context: context)
        response.status = .created
        return response
    }

    static func ended(_ deal: Deal) -> Problem {
        var problem = Problem(status: .conflict, code: "deal-ended",
                              detail: "The deal is \(deal.stage.rawValue); it takes no more collections (refunds are still possible).")
        problem.currentStage = deal.stage.rawValue
        return problem
    }

    static func alreadyVoided(_ object: String, _ number: String) -> Problem {
        Problem(status: .conflict, code: "already-voided", detail: "The \(object) \(number) is already voided; a void happens once.")
    }
}
