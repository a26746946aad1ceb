import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Opportunities: a customer's interest in a project or a room, moved through the stages of
/// ``OpportunityStages``; each one's stage history; and a project's pipeline. Reading and changing an
/// opportunity needs the same right on its customer (``CustomerAccess``).
struct OpportunityController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/customers/{id}/opportunities", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreateOpportunity.self, context: context)
            let stage = body.stage ?? .firstVisit
            let note = body.note.nonBlankTrimmed
            let violations = OpportunityStages.creationViolations(stage: stage, note: note)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let stored = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .write, lock: true).customer
                let projectID = try await Self.project(work, context, body.projectId, of: customer)
                if let roomID = body.roomId {
                    guard let room = try await work.rooms.find(groupID: customer.groupID, id: roomID), room.projectID == projectID else {
                        throw Problem.validation([FieldViolation(field: "roomId", message: "is not a room of the opportunity's project")])
                    }
                }
                if let existing = try await work.opportunities.live(groupID: customer.groupID, customerID: customer.id,
                                                                     projectID: projectID, roomID: body.roomId) {
                    throw OpportunityError.alreadyLive(existing: existing)
                }
                let opportunity = Opportunity(groupID: customer.groupID, id: UUIDv7.make(), customerID: customer.id, projectID: projectID,
                                              roomID: body.roomId, stage: stage, consultantID: customer.ownerID)
                let stored = try await work.opportunities.insert(opportunity, actor: caller.actor.historyText, note: note)
                try await context.recordChange(work, action: "opportunity.create", objectType: "opportunity", objectID: stored.id,
                                               orgUnitID: stored.projectID,
                                               changes: AuditChange.diff(before: [:], after: stored.auditFields.merging(["note": note]) { $1 }),
                                               groupID: stored.groupID)
                return stored
            }
            return try Versioning.response(OpportunityBody(stored), status: .created, version: stored.version, request: request, context: context)
        }
        routes.add(.get, "/v1/customers/{id}/opportunities", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try PageRequest(request)
            let items = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                return try await work.opportunities.list(groupID: customer.groupID, customerID: customer.id, after: page.after, limit: page.limit)
            }
            return Page(items: items.map(OpportunityBody.init), nextCursor: page.nextCursor(after: items, lastID: items.last?.id))
        }
        routes.add(.get, "/v1/opportunities/{id}", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let stored = try await database.unitOfWork { work in try await Self.opportunity(work, context, id, .read) }
            return try Versioning.response(OpportunityBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.post, "/v1/opportunities/{id}/stage", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: StageChangeInput.self, context: context)
            let note = body.note.nonBlankTrimmed
            let violations = OpportunityStages.violations(stage: body.stage, lostReason: body.lostReason, note: note)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let stored = try await database.unitOfWork { work in
                let current = try await Self.opportunity(work, context, id, .write, lock: true)
                try await CustomerController.checkCodes(work, groupID: current.groupID, [("lostReason", .lostReasons, body.lostReason)])
                guard current.version == version else { throw VersionConflict(object: "opportunity", current: current.version) }
                let next = try current.moved(to: body.stage, lostReason: body.lostReason, note: note)
                let stored = try await work.opportunities.changeStage(from: current, to: next, actor: caller.actor.historyText, note: note)
                try await context.recordChange(work, action: "opportunity.stage", objectType: "opportunity", objectID: stored.id,
                                               orgUnitID: stored.projectID,
                                               changes: AuditChange.diff(before: current.auditFields,
                                                                         after: stored.auditFields.merging(["note": note]) { $1 }),
                                               groupID: stored.groupID)
                return stored
            }
            return try Versioning.response(OpportunityBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.get, "/v1/opportunities/{id}/history", access: .permission(.customersRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let history = try await database.unitOfWork { work in
                let opportunity = try await Self.opportunity(work, context, id, .read)
                return try await work.opportunities.history(groupID: opportunity.groupID, opportunityID: opportunity.id)
            }
            return ListBody(items: history.map(StageChangeBody.init))
        }
        routes.add(.get, "/v1/projects/{id}/pipeline", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            var query = QueryReader(request)
            let from = query.day("from"), to = query.day("to")
            try query.finish()
            let caller = try context.requireCaller()
            return try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .customersRead)
                guard let reach = caller.scope.customerReach(groupID: project.groupID, unitPath: project.path) else { throw Problem.notFound() }
                let timeZone = try await work.groups.timeZone(groupID: project.groupID)
                // Creation dates are days in the group's time zone: [from 00:00, the day after `to` 00:00).
                let start = from?.start(in: timeZone)
                let end = to.flatMap { $0.adding(days: 1) }?.start(in: timeZone)
                var rows: [Pipeline.Row] = []
                switch (reach, caller.user?.id) {
                case (.all, _):
                    rows = try await work.opportunities.pipeline(groupID: project.groupID, projectID: project.id, consultantID: nil,
                                                                 from: start, until: end)
                case (.own, let userID?):
                    rows = try await work.opportunities.pipeline(groupID: project.groupID, projectID: project.id, consultantID: .some(userID),
                                                                 from: start, until: end)
                case (.own, nil):
                    break // an API key has no pipeline of its own
                }
                let pipeline = Pipeline(rows: rows)
                let names = try await work.opportunities.displayNames(groupID: project.groupID,
                                                                       ids: pipeline.consultants.compactMap(\.consultantID))
                let labels = Dictionary(try await work.dictionaries.entries(groupID: project.groupID, dictionary: .lostReasons)
                    .map { ($0.code, $0.label) }, uniquingKeysWith: { first, _ in first })
                return PipelineBody(projectID: project.id, from: from, to: to, reach: reach, pipeline: pipeline, names: names, labels: labels)
            }
        }
    }

    /// An opportunity the caller has `right` on through its customer (404 when the customer is out of
    /// reach, 403 when visible without the right). With `lock`, the customer and then the opportunity
    /// are locked, so that changes of one customer's opportunities (and its stage) run one at a time.
    static func opportunity(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID, _ right: CustomerRight,
                            lock: Bool = false) async throws -> Opportunity {
        let caller = try context.requireCaller()
        guard let found = try await work.opportunities.find(groupID: caller.groupID, id: id) else { throw Problem.notFound() }
        let customer = try await context.customers.customer(work, found.customerID, right, lock: lock).customer
        guard lock else { return found }
        guard let locked = try await work.opportunities.find(groupID: customer.groupID, id: id, lock: true),
              locked.customerID == customer.id else { throw Problem.notFound() }
        return locked
    }

    /// The opportunity's project: the customer's own, or another project where the caller records
    /// customers (`customers.write`); anything else is a field error.
    static func project(_ work: UnitOfWork, _ context: EstateRequestContext, _ requested: UUID?, of customer: Customer) async throws -> UUID {
        guard let requested, requested != customer.projectID else { return customer.projectID }
        let caller = try context.requireCaller()
        guard let unit = try await work.orgUnits.find(groupID: customer.groupID, id: requested), unit.kind == .project,
              caller.scope.permissions(groupID: unit.groupID, unitPath: unit.path).contains(.customersWrite) else {
            throw Problem.validation([FieldViolation(field: "projectId", message: "is not a project where you record customers")])
        }
        return unit.id
    }

}

extension Opportunity {
    var auditFields: [String: String?] {
        ["customerId": customerID.uuidString.lowercased(), "projectId": projectID.uuidString.lowercased(),
         "roomId": roomID?.uuidString.lowercased(), "stage": stage.rawValue, "lostReason": lostReason, "lostNote": lostNote,
         "consultantId": consultantID?.uuidString.lowercased()]
    }
}
