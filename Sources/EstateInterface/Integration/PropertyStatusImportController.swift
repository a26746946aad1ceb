import EstateData
import EstateLogic
import Foundation
import Hummingbird
import LibXML

/// Property-management status updates: `POST /v1/integration/property/status-updates` reads a
/// `property-status-updates-v1` document and answers `property-status-outcomes-v1`;
/// `GET /v1/rooms/{id}/property-status` shows a room's updates (JSON or XML by negotiation).
///
/// A document is taken whole or not at all (``PropertyStatusImport``): one transaction stores every
/// new update, with a row in its deal's history and an audit entry each; an update already received
/// (same update id, same content) is answered `already_stored` and stored once. One bad update
/// refuses the document (422 `import-refused`), every bad update named by its position.
struct PropertyStatusImportController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    static let schema = "property-status-updates-v1"
    static let outcomesSchema = "property-status-outcomes-v1"
    /// The largest document: 1,000 updates with the longest notes fit.
    static let largestDocument = 4 << 20

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/integration/property/status-updates", access: .permission(.dealsWrite),
                   maxBodyBytes: Self.largestDocument) { request, context in
            let document = try await IntegrationXML.read(request, context: context, schema: Self.schema)
            let namespace = try IntegrationSchemas.schema(Self.schema, logger: context.logger).namespace
            let records = IntegrationImportRecord.records(document.root, named: "update", namespace: namespace)
            var updates: [(position: Int, update: PropertyStatusUpdate)] = []
            var violations: [ImportViolation] = []
            for record in records {
                do throws(IntegrationFieldViolation) {
                    updates.append((record.position, try Self.update(record)))
                } catch {
                    violations.append(ImportViolation(position: record.position, field: error.field, message: error.message))
                }
            }
            let moment = now()
            let outcomes = try await database.unitOfWork { work in
                try await Self.store(work, context, updates, refused: violations, records: records, at: moment)
            }
            let outcomesNamespace = try IntegrationSchemas.schema(Self.outcomesSchema, logger: context.logger).namespace
            return try IntegrationXML.response(Self.document(outcomes, namespace: outcomesNamespace), schema: Self.outcomesSchema,
                                               logger: context.logger)
        }

        routes.add(.get, "/v1/rooms/{id}/property-status", access: .permission(.dealsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let updates = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .dealsRead)
                return try await work.propertyStatus.ofRoom(groupID: room.groupID, roomID: room.id)
            }
            return PropertyStatusHistoryBody(roomId: id, current: updates.first?.update.status, items: updates.map(PropertyStatusEntryBody.init))
        }
    }

    /// An update's outcome: stored now, or received before (the stored row's id either way).
    struct Outcome {
        let position: Int
        let updateID: String
        let id: UUID
        let isNew: Bool
    }

    /// Checks every update and stores the new ones in the caller's transaction; throws the refusal
    /// naming every bad update (with `refused`: what could not be read) and stores nothing then.
    static func store(_ work: UnitOfWork, _ context: EstateRequestContext, _ updates: [(position: Int, update: PropertyStatusUpdate)],
                      refused: [ImportViolation], records: [IntegrationImportRecord], at moment: Date) async throws -> [Outcome] {
        let caller = try context.requireCaller()
        func access(_ unitPath: [UUID]) -> PropertyStatusImport.Access? {
            switch caller.scope.decide(.dealsWrite, groupID: caller.groupID, unitPath: unitPath) {
            case .allowed: .allowed
            case .forbidden: .forbidden
            case .notFound: nil
            }
        }
        let rooms = try await work.rooms.lock(groupID: caller.groupID, ids: Array(Set(updates.map(\.update.roomID))), forUpdate: false)
        let deals = try await work.propertyStatus.deals(groupID: caller.groupID, ids: Array(Set(updates.map(\.update.dealID))))
        let stored = try await work.propertyStatus.find(groupID: caller.groupID, updateIDs: updates.map(\.update.updateID))
        let (planned, found) = PropertyStatusImport.plan(
            updates, rooms: Dictionary(rooms.compactMap { room in access(room.projectPath).map { (room.id, $0) } }, uniquingKeysWith: { first, _ in first }),
            deals: Dictionary(deals.compactMap { deal in
                access(deal.projectPath).map { (deal.id, PropertyStatusImport.DealFacts(access: $0, roomID: deal.roomID, stage: deal.stage)) }
            }, uniquingKeysWith: { first, _ in first }),
            stored: stored.mapValues(\.update), now: moment)
        let violations = (refused + found).enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }.map(\.element)
        guard violations.isEmpty else { throw refusal(violations, records: records, total: records.count) }
        let byID = Dictionary(deals.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // The new updates first, in update-id order (so that two documents naming the same ids in
        // another order wait for each other instead of deadlocking); an id stored meanwhile by a
        // document sent at the same moment is the same update, or a refusal.
        var ids: [Int: UUID] = [:]
        var inserted: [Int: StoredPropertyStatusUpdate] = [:]
        for plan in planned.sorted(by: { $0.update.updateID < $1.update.updateID }) {
            let update = plan.update
            if !plan.isNew {
                guard let previous = stored[update.updateID] else { throw DataError.internalFailure("a received update vanished") }
                ids[plan.position] = previous.id
                continue
            }
            let row = StoredPropertyStatusUpdate(groupID: caller.groupID, id: UUIDv7.make(), update: update, receivedBy: caller.actor.historyText,
                                                 receivedAt: moment)
            if try await work.propertyStatus.insert(row) {
                ids[plan.position] = row.id
                inserted[plan.position] = row
                continue
            }
            guard let other = try await work.propertyStatus.find(groupID: caller.groupID, updateIDs: [update.updateID])[update.updateID],
                  update.isResend(of: other.update) else {
                throw refusal([ImportViolation(position: plan.position, field: "updateId",
                                               message: "names an update received before with other content: an update id names one update")],
                              records: records, total: records.count)
            }
            ids[plan.position] = other.id
        }
        // Then each stored one in its deal's history and the audit, in the document's order.
        var outcomes: [Outcome] = []
        for plan in planned {
            let update = plan.update
            guard let id = ids[plan.position] else { throw DataError.internalFailure("an update without an outcome") }
            outcomes.append(Outcome(position: plan.position, updateID: update.updateID, id: id, isNew: inserted[plan.position] != nil))
            guard let row = inserted[plan.position] else { continue }
            guard let deal = byID[update.dealID] else { throw DataError.internalFailure("a checked deal vanished") }
            try await work.deals.record(deal, event: "property_status", from: deal.stage, after: PropertyStatusEntryBody(row),
                                        actor: caller.actor.historyText, reason: update.note)
            try await context.recordChange(work, action: "deal.property_status", objectType: "deal", objectID: deal.id, orgUnitID: deal.projectID,
                                           changes: AuditChange.diff(before: [:], after: [
                                               "propertyStatus": update.status.rawValue, "roomId": update.roomID.uuidString,
                                               "updateId": update.updateID, "occurredAt": update.occurredAt.formatted(.iso8601),
                                           ]),
                                           groupID: deal.groupID)
        }
        return outcomes
    }

    /// The update a record carries (the XSD checked its shape).
    static func update(_ record: IntegrationImportRecord) throws(IntegrationFieldViolation) -> PropertyStatusUpdate {
        guard let status = PropertyStatus(rawValue: try record.required("status")) else {
            throw IntegrationFieldViolation(field: "status", message: "must be one of \(PropertyStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return PropertyStatusUpdate(updateID: try record.required("updateId"), roomID: try record.uuid("roomId"), dealID: try record.uuid("dealId"),
                                    status: status, occurredAt: try record.timestamp("occurredAt"), reportedBy: record.token("reportedBy"),
                                    note: record.text("note"))
    }

    /// 422 `import-refused`: every bad update by its position (`updates[i].field`, with its line and column).
    static func refusal(_ violations: [ImportViolation], records: [IntegrationImportRecord], total: Int) -> Problem {
        let bad = Set(violations.map(\.position)).count
        return Problem(status: .unprocessableContent, code: "import-refused",
                       detail: "\(bad) of the \(total) updates cannot be stored, so none was: a document is taken whole or not at all.",
                       errors: violations.map { violation in
                           guard records.indices.contains(violation.position) else {
                               return Problem.FieldError(field: "updates[\(violation.position)].\(violation.field)", message: violation.message)
                           }
                           return records[violation.position].fieldError(list: "updates", field: violation.field, message: violation.message)
                       })
    }

    /// The `statusOutcomes` document.
    static func document(_ outcomes: [Outcome], namespace: String) -> LibXML.XMLElement {
        func field(_ name: String, _ text: String) -> XMLContent { .element(LibXML.XMLElement(name, namespaceURI: namespace, text: text)) }
        return LibXML.XMLElement("statusOutcomes", namespaceURI: namespace, children: outcomes.map { outcome in
            .element(LibXML.XMLElement("outcome", namespaceURI: namespace, children: [
                field("position", String(outcome.position)), field("updateId", outcome.updateID),
                field("status", outcome.isNew ? "stored" : "already_stored"), field("id", outcome.id.uuidString.lowercased()),
            ]))
        })
    }
}

/// One status update of a room, as `GET /v1/rooms/{id}/property-status` and the deal's history show it.
struct PropertyStatusEntryBody: Encodable, Sendable {
    let id: UUID
    let updateId: String
    let roomId: UUID
    let dealId: UUID
    let status: PropertyStatus
    let occurredAt: Date
    let reportedBy: String?
    let note: String?
    let receivedBy: String
    let receivedAt: Date

    init(_ stored: StoredPropertyStatusUpdate) {
        id = stored.id
        updateId = stored.update.updateID
        roomId = stored.update.roomID
        dealId = stored.update.dealID
        status = stored.update.status
        occurredAt = stored.update.occurredAt
        reportedBy = stored.update.reportedBy
        note = stored.update.note
        receivedBy = stored.receivedBy
        receivedAt = stored.receivedAt
    }
}

/// A room's property-management status: the latest update's status, and every update, latest first.
struct PropertyStatusHistoryBody: ResponseEncodable {
    let roomId: UUID
    let current: PropertyStatus?
    let items: [PropertyStatusEntryBody]
}
