import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// The invoice register: invoices issued by the tax system, recorded against a deal (the number is
/// the tax system's, unique in the project), voided once with a reason, never deleted.
struct InvoiceController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/deals/{id}/invoices", access: .permission(.paymentsCollect)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let idempotency = try await IdempotencyGuard(&request, context: context)
            let body = try await request.decode(as: InvoiceInput.self, context: context)
            let caller = try context.requireCaller()
            var violations = MoneyLimits.violations(body.amount, field: "amount")
            if !Self.isInvoiceNumber(body.number) {
                violations.append(FieldViolation(field: "number", message: "must be 1 to 64 letters, digits or dashes (the tax system's number)"))
            }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let moment = now()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    let deal = try await context.deals.deal(work, id, .paymentsCollect, lock: true)
                    let today = LocalDate(moment, in: try await work.groups.timeZone(groupID: deal.groupID))
                    _ = try CollectionController.day(body.issuedOn, field: "issuedOn", today: today)
                    let invoice = StoredInvoice(groupID: deal.groupID, id: UUIDv7.make(), projectID: deal.projectID, dealID: deal.id, number: body.number,
                                                amount: body.amount, issuedOn: body.issuedOn, recordedBy: caller.actor.historyText, recordedAt: moment)
                    do {
                        try await work.invoices.insert(invoice)
                    } catch InvoiceDataError.numberTaken(let number) {
                        throw Problem(status: .conflict, code: "invoice-number-taken", detail: "The project's register already has invoice \(number).",
                                      errors: [.init(field: "number", message: "is taken")])
                    }
                    guard let stored = try await work.invoices.find(groupID: deal.groupID, id: invoice.id) else { throw Problem.notFound() }
                    let result = InvoiceBody(stored)
                    try await work.deals.record(deal, event: "invoice_recorded", from: deal.stage, after: result, actor: caller.actor.historyText)
                    try await CollectionController.audit(work, context, "invoice.record", "invoice", invoice.id, of: deal, after: [
                        "number": invoice.number, "amount": invoice.amount.description, "issuedOn": invoice.issuedOn.description,
                    ])
                    return try CollectionController.created(result, request, context)
                }
            }
        }

        routes.add(.get, "/v1/deals/{id}/invoices", access: .permission(.paymentsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            return try await database.unitOfWork { work in
                let deal = try await context.deals.deal(work, id, .paymentsRead)
                return InvoicePage(items: try await work.invoices.invoices(groupID: deal.groupID, dealID: deal.id).map(InvoiceBody.init))
            }
        }

        routes.add(.post, "/v1/invoices/{id}/void", access: .permission(.receiptsVoid)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var request = request
            let (idempotency, reason) = try await CollectionController.voidRequest(&request, context)
            let caller = try context.requireCaller()
            return try await database.unitOfWork { work in
                try await idempotency.perform(work, context: context) {
                    guard let found = try await work.invoices.find(groupID: caller.groupID, id: id) else { throw Problem.notFound() }
                    let deal = try await context.deals.deal(work, found.dealID, .receiptsVoid, lock: true)
                    guard let invoice = try await work.invoices.find(groupID: deal.groupID, id: id, lock: true) else { throw Problem.notFound() }
                    guard invoice.voidedAt == nil,
                          try await work.invoices.void(groupID: deal.groupID, id: id, by: caller.actor.historyText, reason: reason) else {
                        throw CollectionController.alreadyVoided("invoice", invoice.number)
                    }
                    guard let voided = try await work.invoices.find(groupID: deal.groupID, id: id) else { throw Problem.notFound() }
                    let result = InvoiceBody(voided)
                    try await work.deals.record(deal, event: "invoice_voided", from: deal.stage, before: InvoiceBody(invoice), after: result,
                                                actor: caller.actor.historyText, reason: reason)
                    try await CollectionController.audit(work, context, "invoice.void", "invoice", id, of: deal, before: ["voided": "false"],
                                                         after: ["voided": "true", "reason": reason, "number": invoice.number])
                    return try result.response(from: request, context: context)
                }
            }
        }
    }

    /// 1 to 64 ASCII letters, digits or dashes.
    static func isInvoiceNumber(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D }
    }
}
