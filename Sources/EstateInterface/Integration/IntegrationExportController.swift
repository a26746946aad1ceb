import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// The outbound integration documents (issue 7), XML only, each validated against its XSD in
/// schemas/integration before it is sent, each synced incrementally (``ExportRequest``: `updated_since`,
/// `cursor`, `limit`; ``IntegrationSync``: the sync horizon and the ascending keyset):
///
/// - `GET /v1/integration/property/handovers` (property-handovers-v1, `deals.read`): deals whose room
///   was handed over to property management (``PropertyHandover``), owners masked without customers.pii;
/// - `GET /v1/integration/cost/sales?period=` (cost-sales-v1, `reports.read`): sold area and revenue
///   per building and month (``BuildingSales``);
/// - `GET /v1/integration/finance/vouchers[?date=]` (finance-vouchers-v1, `payments.read`): a voucher
///   per collection, receipt void and refund (``VoucherLines``);
/// - `GET /v1/integration/oa/approval-requests[?status=]` (oa-approval-requests-v1, `deals.approve`):
///   change requests with what they change, their version and ETag for OA's answer.
///
/// Every document holds only the projects under the units where the caller holds its permission
/// (another group's rows never); without the permission anywhere the answer is 403.
struct IntegrationExportController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/integration/property/handovers", access: .permission(.dealsRead)) { request, context in
            var reader = QueryReader(request)
            let export = try ExportRequest(request, &reader)
            try reader.finish()
            let caller = try context.requireCaller()
            let page = try await database.read { work in
                try await work.integrationExports.handovers(groupID: caller.groupID, under: Array(caller.scope.units(with: .dealsRead)),
                                                            after: export.after, since: export.since, limit: export.limit)
            }
            let document = try HandoverDocument.make(page, request: export, now: now()) { owner in
                try context.customers.seesPII(groupID: caller.groupID, projectPath: owner.projectPath)
            }
            return try IntegrationXML.response(document, schema: HandoverDocument.schema, logger: context.logger)
        }

        routes.add(.get, "/v1/integration/cost/sales", access: .permission(.reportsRead)) { request, context in
            var reader = QueryReader(request)
            let export = try ExportRequest(request, &reader)
            let bounds = reader.parsed("period", "must be a month YYYY-MM or a range of months YYYY-MM/YYYY-MM") { SalesPeriod.bounds($0) }
            if reader.text("period") == nil { reader.fail("period", "is required: a month YYYY-MM or a range YYYY-MM/YYYY-MM") }
            try reader.finish()
            guard let bounds, let period = SalesPeriod(first: bounds.first, last: bounds.last) else {
                throw Problem(status: .unprocessableContent, code: "invalid-period",
                              detail: "A period runs forwards and covers at most \(SalesPeriod.maximumMonths) months.",
                              errors: [.init(field: "period", message: "must end at or after its first month and cover at most \(SalesPeriod.maximumMonths) months")])
            }
            let caller = try context.requireCaller()
            let page = try await database.read { work in
                try await work.integrationExports.sales(groupID: caller.groupID, under: Array(caller.scope.units(with: .reportsRead)),
                                                        period: period, after: export.after, since: export.since, limit: export.limit)
            }
            return try IntegrationXML.response(SalesDocument.make(page, period: period, request: export, now: now()),
                                               schema: SalesDocument.schema, logger: context.logger)
        }

        routes.add(.get, "/v1/integration/finance/vouchers", access: .permission(.paymentsRead)) { request, context in
            var reader = QueryReader(request)
            let export = try ExportRequest(request, &reader)
            let date = reader.day("date")
            try reader.finish()
            let caller = try context.requireCaller()
            let page = try await database.read { work in
                try await work.integrationExports.vouchers(groupID: caller.groupID, under: Array(caller.scope.units(with: .paymentsRead)),
                                                           on: date, after: export.after, since: export.since, limit: export.limit)
            }
            return try IntegrationXML.response(try VoucherDocument.make(page, date: date, request: export, now: now(), logger: context.logger),
                                               schema: VoucherDocument.schema, logger: context.logger)
        }

        routes.add(.get, "/v1/integration/oa/approval-requests", access: .permission(.dealsApprove)) { request, context in
            var reader = QueryReader(request)
            let export = try ExportRequest(request, &reader)
            let statuses = reader.values("status", of: ChangeRequestStatus.self)
            try reader.finish()
            let caller = try context.requireCaller()
            let page = try await database.read { work in
                try await work.integrationExports.approvalRequests(groupID: caller.groupID, under: Array(caller.scope.units(with: .dealsApprove)),
                                                                   statuses: statuses, after: export.after, since: export.since, limit: export.limit)
            }
            return try IntegrationXML.response(try ApprovalRequestDocument.make(page, request: export, now: now()),
                                               schema: ApprovalRequestDocument.schema, logger: context.logger)
        }
    }
}
