import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct AuditEntryBody: ResponseEncodable {
    struct Actor: Encodable {
        let type: String
        let id: UUID?
    }

    let sequence: Int64
    let id: UUID
    let occurredAt: Date
    let actor: Actor
    let action: String
    let objectType: String
    let objectId: UUID
    let orgUnitId: UUID?
    let changes: [AuditChange]
    let requestId: String?
    let previousHash: String
    let hash: String

    init(_ entry: AuditEntry) {
        sequence = entry.sequence
        id = entry.id
        occurredAt = entry.occurredAt
        actor = Actor(type: entry.event.actor.type, id: entry.event.actor.id)
        action = entry.event.action
        objectType = entry.event.objectType
        objectId = entry.event.objectID
        orgUnitId = entry.event.orgUnitID
        changes = entry.event.changes
        requestId = entry.event.requestID
        previousHash = entry.previousHash
        hash = entry.hash
    }
}

/// The audit trail, for holders of `audit.read`, as far as their reach goes.
struct AuditController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/audit-entries", access: .permission(.auditRead)) { request, context in
            let caller = try context.requireCaller()
            let query = request.uri.queryParameters
            func uuid(_ name: String) throws -> UUID? {
                guard let text = query[Substring(name)] else { return nil }
                guard let value = UUID(uuidString: String(text)) else {
                    throw Problem.validation([FieldViolation(field: name, message: "must be a UUID")])
                }
                return value
            }
            func date(_ name: String) throws -> Date? {
                guard let text = query[Substring(name)] else { return nil }
                guard let value = RFC3339.date(from: String(text)) else {
                    throw Problem.validation([FieldViolation(field: name, message: "must be an ISO 8601 date-time")])
                }
                return value
            }
            let limit = try PageRequest.limit(request)
            var before: Int64?
            if let text = query["cursor"] {
                guard let value = Int64(String(text)), value > 0 else {
                    throw Problem.validation([FieldViolation(field: "cursor", message: "is not a cursor this API gave out")])
                }
                before = value
            }
            let filter = AuditTrail.Filter(
                objectType: query["objectType"].map(String.init), objectID: try uuid("objectId"), actorID: try uuid("actorId"),
                from: try date("from"), until: try date("until"),
                underUnits: Array(caller.scope.units(with: .auditRead)))
            let entries = try await database.unitOfWork { work in
                try await work.audit.entries(groupID: caller.groupID, filter: filter, beforeSequence: before, limit: limit)
            }
            let next = entries.count == limit ? entries.last.map { String($0.sequence) } : nil
            return Page(items: entries.map(AuditEntryBody.init), nextCursor: next)
        }
    }
}
