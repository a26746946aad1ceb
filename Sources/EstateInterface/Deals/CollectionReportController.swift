import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// What a project is owed: the arrears (dunning) list of open lines past their due date, and the
/// forecast of collections by month with the expected mortgage arrivals apart. Both read the
/// current lines of the project's live deals (neither cancelled nor terminated).
struct CollectionReportController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The most months one forecast covers.
    static let maximumMonths = 36

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/projects/{id}/arrears", access: .permission(.paymentsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let limit = try PageRequest.limit(request)
            var reader = QueryReader(request)
            let asOf = reader.day("asOf")
            let payers = reader.values("payer", of: ReceivablePayer.self)
            let cursor = reader.parsed("cursor", "is not a cursor this API gave out") { Self.decodeCursor($0) }
            try reader.finish()
            let kinds = ReceivableKind.allCases.filter { payers.isEmpty || payers.contains($0.payer) }
            return try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .paymentsRead)
                let timeZone = try await work.groups.timeZone(groupID: project.groupID)
                let day = asOf ?? LocalDate(now(), in: timeZone)
                let deals = try await work.collectionReports.arrears(groupID: project.groupID, projectID: project.id, asOf: day, kinds: kinds,
                                                                     after: cursor, limit: limit)
                let totals = try await work.collectionReports.arrearsTotals(groupID: project.groupID, projectID: project.id, asOf: day, kinds: kinds)
                let items = deals.map { ArrearsDealBody($0, asOf: day) }
                let next = deals.count == limit ? items.last.map { DayCursor.encode($0.oldestDueOn, key: $0.dealId.compactHex) } : nil
                return ArrearsBody(projectId: project.id, asOf: day, deals: totals.deals, lines: totals.lines, overdue: totals.overdue,
                                   items: items, nextCursor: next)
            }
        }

        routes.add(.get, "/v1/projects/{id}/collection-forecast", access: .permission(.paymentsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var reader = QueryReader(request)
            let from = reader.parsed("from", "must be a month YYYY-MM") { YearMonth($0) }
            let months = reader.parsed("months", "must be a whole number from 1 to \(Self.maximumMonths)") { text in
                Int(text).flatMap { (1...Self.maximumMonths).contains($0) ? $0 : nil }
            } ?? 12
            try reader.finish()
            return try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .paymentsRead)
                let timeZone = try await work.groups.timeZone(groupID: project.groupID)
                let first = from ?? YearMonth(LocalDate(now(), in: timeZone))
                let open = try await work.collectionReports.openByMonth(groupID: project.groupID, projectID: project.id)
                return CollectionForecastBody(projectID: project.id, CollectionForecast.make(from: first, months: months, open: open))
            }
        }
    }

    /// A ``DayCursor`` whose key is a deal id as 32 hex digits: the oldest due date and the deal of the last item of a page.
    static func decodeCursor(_ text: String) -> (LocalDate, UUID)? {
        guard let cursor = DayCursor.decode(text), let id = PageRequest.decodeCursor(cursor.1) else { return nil }
        return (cursor.0, id)
    }
}
