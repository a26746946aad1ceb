import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Who owns customers and who else may see them: shares, reassignment by managers, the projects'
/// public pools and claims from them, the ownership history, and the protection periods.
struct CustomerOwnershipController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/customers/{id}/shares", access: .permission(.customersRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let shares = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                return try await work.customerOwnership.shares(groupID: customer.groupID, customerID: customer.id)
            }
            return ListBody(items: shares.map(CustomerShareBody.init))
        }
        routes.add(.put, "/v1/customers/{id}/shares/{userId}", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let userID = try context.parameters.require("userId", as: UUID.self)
            let body = try await request.decode(as: ShareInput.self, context: context)
            let caller = try context.requireCaller()
            let (share, previous) = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .share, lock: true).customer
                var user: (active: Bool, scope: AccessScope)?
                if let found = try await work.users.find(groupID: customer.groupID, id: userID) {
                    user = (found.user.active, try await work.roles.scope(groupID: customer.groupID, userID: userID))
                }
                if let refusal = CustomerSharing.refusal(userID: userID, ownerID: customer.ownerID, user: user) {
                    throw Self.problem(refusal)
                }
                let result = try await work.customerOwnership.upsertShare(groupID: customer.groupID, customerID: customer.id, userID: userID,
                                                                          access: body.access, grantedBy: caller.actor.id ?? userID)
                if result.previous != body.access {
                    try await Self.recordShare(work, context, customer, userID: userID, before: result.previous, after: body.access)
                }
                return result
            }
            var response = try CustomerShareBody(share).response(from: request, context: context)
            response.status = previous == nil ? .created : .ok
            return response
        }
        routes.add(.delete, "/v1/customers/{id}/shares/{userId}", access: .permission(.customersWrite)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let userID = try context.parameters.require("userId", as: UUID.self)
            try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .share, lock: true).customer
                guard let access = try await work.customerOwnership.deleteShare(groupID: customer.groupID, customerID: customer.id, userID: userID) else {
                    throw Problem.notFound("The customer is not shared with that user.")
                }
                try await Self.recordShare(work, context, customer, userID: userID, before: access, after: nil)
            }
            return Response(status: .noContent)
        }
        routes.add(.post, "/v1/customers/reassign", access: .permission(.customersAssign)) { request, context in
            let body = try await request.decode(as: ReassignInput.self, context: context)
            let violations = Reassignment.violations(customerIDs: body.customerIds, reason: body.reason)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
            return try await database.unitOfWork { work in
                try await Self.reassign(work, context, body, reason: reason)
            }
        }
        routes.add(.post, "/v1/customers/{id}/claim", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let caller = try context.requireCaller()
            guard let userID = caller.user?.id else {
                throw Problem(status: .unprocessableContent, code: "user-required", detail: "Customers are owned by consultants; sign in as a user.")
            }
            let customer = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                try context.authorize(.customersWrite, groupID: customer.groupID, unitPath: customer.projectPath)
                if PoolClaim.refusal(ownerID: customer.ownerID) != nil { throw Self.notInPool }
                let days = try await work.customerHistory.protectionDays(groupID: customer.groupID, source: customer.profile.source)
                // Conditional on the customer still being in the pool: of two claims at once, one wins.
                guard try await work.customerOwnership.claim(groupID: customer.groupID, customerID: customer.id, projectID: customer.projectID,
                                                             userID: userID, protectedUntil: ProtectionPeriod.afterOwnerChange(now: Date(), days: days),
                                                             actor: caller.actor.historyText) else {
                    throw Self.notInPool
                }
                _ = try await work.tasks.reassignOpenTasks(groupID: customer.groupID, customerID: customer.id, to: userID, actor: caller.actor.historyText)
                guard let claimed = try await work.customers.find(groupID: customer.groupID, id: customer.id) else { throw Problem.notFound() }
                try await Self.record(work, context, "customer.claim", claimed, before: ["ownerId": nil],
                                      after: ["ownerId": userID.uuidString.lowercased()])
                return claimed
            }
            return try Versioning.response(CustomerBody(customer, pii: try context.customers.seesPII(customer)), version: customer.version,
                                           request: request, context: context)
        }
        routes.add(.get, "/v1/projects/{id}/customer-pool", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try TimeKeyset(request)
            let (customers, pii) = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .customersRead)
                let pii = try context.requireCaller().scope.permissions(groupID: project.groupID, unitPath: project.path).contains(.customersPII)
                return (try await work.customerOwnership.pool(groupID: project.groupID, projectID: project.id, before: page.before,
                                                              limit: page.limit), pii)
            }
            return Page(items: customers.map { CustomerBody($0, pii: pii) },
                        nextCursor: page.nextCursor(customers.count, last: customers.last.flatMap { c in c.pooledAt.map { ($0, c.id) } }))
        }
        routes.add(.get, "/v1/customers/{id}/ownership-history", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try TimeKeyset(request)
            let records = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                return try await work.customerOwnership.history(groupID: customer.groupID, customerID: customer.id, before: page.before,
                                                                limit: page.limit)
            }
            return Page(items: records.map(OwnershipChangeBody.init), nextCursor: page.nextCursor(records.count, last: records.last.map { ($0.at, $0.id) }))
        }
        routes.add(.get, "/v1/customer-protection-periods", access: .permission(.dictionariesRead)) { _, context in
            let caller = try context.requireCaller()
            let periods = try await database.unitOfWork { work in try await work.customerOwnership.protectionPeriods(groupID: caller.groupID) }
            return ProtectionPeriodsBody(items: periods.map(ProtectionPeriodBody.init),
                                         defaultDays: periods.first { $0.source == ProtectionPeriod.groupDefault }?.days ?? ProtectionPeriod.fallbackDays)
        }
        routes.add(.put, "/v1/customer-protection-periods/{source}", access: .permission(.dictionariesWrite)) { request, context in
            let raw = try context.parameters.require("source")
            let source = raw.removingPercentEncoding ?? raw
            let body = try await request.decode(as: ProtectionPeriodInput.self, context: context)
            var violations = ProtectionPeriod.violations(days: body.days)
            if !ProtectionPeriod.isWellFormedSource(source) {
                violations.insert(FieldViolation(field: "source", message: "must be * or a customer source code (1 to 63 lower-case letters, digits or underscores)"), at: 0)
            }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let (setting, previous) = try await database.unitOfWork { work in
                // Group-wide configuration keyed by a dictionary: kept by whoever keeps the dictionaries, at the group's root.
                guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
                try context.authorize(.dictionariesWrite, groupID: root.groupID, unitPath: root.path)
                if source != ProtectionPeriod.groupDefault,
                   try await work.dictionaries.find(groupID: root.groupID, dictionary: .customerSources, code: source)?.active != true {
                    throw Problem(status: .unprocessableContent, code: "unknown-source",
                                  detail: "'\(source)' is not an active entry of the customer_sources dictionary.",
                                  errors: [.init(field: "source", message: "is not an active customer source")])
                }
                let result = try await work.customerOwnership.setProtectionPeriod(groupID: root.groupID, source: source, days: body.days)
                try await context.recordChange(work, action: "customer_protection_period.set", objectType: "customer_protection_periods",
                                               objectID: root.id, orgUnitID: root.id,
                                               changes: AuditChange.diff(before: ["source": source, "days": result.previous.map(String.init)],
                                                                         after: ["source": source, "days": String(body.days)]),
                                               groupID: root.groupID)
                return result
            }
            var response = try ProtectionPeriodBody(setting).response(from: request, context: context)
            response.status = previous == nil ? .created : .ok
            return response
        }
    }

    static let notInPool = Problem(status: .conflict, code: "not-in-pool",
                                   detail: "The customer is not in the project's public pool (it has an owner); only pooled customers can be claimed.")

    static func problem(_ refusal: ShareRefusal) -> Problem {
        let message = switch refusal {
        case .owner: "owns the customer (an owner has full rights)"
        case .notAnActiveUser: "is not an active user of the customer's group"
        case .readsNoCustomers: "holds customers.read nowhere, so a share would show them nothing"
        }
        return Problem(status: .unprocessableContent, code: "share-refused", detail: "The customer cannot be shared with that user.",
                       errors: [.init(field: "userId", message: message)])
    }

    static func recordShare(_ work: UnitOfWork, _ context: EstateRequestContext, _ customer: Customer, userID: UUID,
                            before: ShareAccess?, after: ShareAccess?) async throws {
        let key = "share:\(userID.uuidString.lowercased())"
        try await record(work, context, after == nil ? "customer.unshare" : "customer.share", customer,
                         before: [key: before?.rawValue], after: [key: after?.rawValue])
    }

    /// An audit entry about a customer, filed under `projectID` (default: the customer's project).
    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ customer: Customer, projectID: UUID? = nil,
                       before: [String: String?], after: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "customer", objectID: customer.id,
                                       orgUnitID: projectID ?? customer.projectID,
                                       changes: AuditChange.diff(before: before, after: after), groupID: customer.groupID)
    }

    /// Gives every named customer to the new owner (and project), or none: every customer the caller
    /// cannot manage (not visible, merged, or without `customers.assign` at its project), a target
    /// project outside the caller's `customers.assign` reach and an owner who cannot own customers
    /// there are reported together as a 422 naming each field.
    static func reassign(_ work: UnitOfWork, _ context: EstateRequestContext, _ body: ReassignInput, reason: String) async throws -> ReassignmentBody {
        let caller = try context.requireCaller()
        var refused: [FieldViolation] = []
        var project: OrgUnit?
        if let projectID = body.projectId {
            if let unit = try await work.orgUnits.find(groupID: caller.groupID, id: projectID), unit.kind == .project,
               caller.scope.decide(.customersAssign, groupID: unit.groupID, unitPath: unit.path) == .allowed {
                project = unit
            } else {
                refused.append(FieldViolation(field: "projectId", message: "is not a project where you may reassign customers"))
            }
        }
        let owner = try await work.users.find(groupID: caller.groupID, id: body.ownerId)
        let ownerScope = try await work.roles.scope(groupID: caller.groupID, userID: body.ownerId)
        if owner?.user.active != true {
            refused.append(FieldViolation(field: "ownerId", message: "is not an active user of the group"))
        } else if let project, !Reassignment.canOwn(active: true, scope: ownerScope, groupID: project.groupID, projectPath: project.path) {
            refused.append(FieldViolation(field: "ownerId", message: "cannot own customers of the project (needs customers.write there)"))
        }
        let ownerActive = owner?.user.active == true
        let locked = try await work.customers.lock(groupID: caller.groupID, ids: body.customerIds)
        let byID = Dictionary(uniqueKeysWithValues: locked.map { ($0.id, $0) })
        var moves: [(customer: Customer, to: CustomerPlacement)] = []
        var unchanged: [UUID] = []
        for (index, id) in body.customerIds.enumerated() {
            // A manager's right does not depend on shares (customers.assign at the project gives it), hence share: nil.
            guard let customer = byID[id], customer.mergedInto == nil,
                  caller.scope.customerRights(groupID: customer.groupID, projectPath: customer.projectPath, userID: caller.user?.id,
                                              ownerID: customer.ownerID, share: nil).contains(.manage) else {
                refused.append(FieldViolation(field: "customerIds[\(index)]", message: "is not a customer you may reassign"))
                continue
            }
            let current = CustomerPlacement(ownerID: customer.ownerID, projectID: customer.projectID)
            guard let to = Reassignment.target(from: current, ownerID: body.ownerId, projectID: project?.id) else {
                unchanged.append(id)
                continue
            }
            if ownerActive, body.projectId == nil,
               !Reassignment.canOwn(active: true, scope: ownerScope, groupID: customer.groupID, projectPath: customer.projectPath) {
                refused.append(FieldViolation(field: "customerIds[\(index)]", message: "is of a project where the new owner cannot own customers"))
                continue
            }
            moves.append((customer, to))
        }
        guard refused.isEmpty else {
            throw Problem(status: .unprocessableContent, code: "reassignment-refused",
                          detail: "Nothing was reassigned: the request names customers, an owner or a project it cannot use.",
                          errors: refused.map { .init(field: $0.field, message: $0.message) })
        }
        let now = Date()
        var days: [String: Int] = [:]
        var assignments: [OwnerAssignment] = []
        for move in moves {
            let source = move.customer.profile.source
            if days[source] == nil { days[source] = try await work.customerHistory.protectionDays(groupID: caller.groupID, source: source) }
            assignments.append(OwnerAssignment(customerID: move.customer.id, version: move.customer.version, to: move.to,
                                               protectedUntil: ProtectionPeriod.afterOwnerChange(now: now, days: days[source] ?? ProtectionPeriod.fallbackDays)))
        }
        let from = Dictionary(uniqueKeysWithValues: moves.map { ($0.customer.id, CustomerPlacement(ownerID: $0.customer.ownerID, projectID: $0.customer.projectID)) })
        let updated = try await work.customerOwnership.setOwner(groupID: caller.groupID, assignments, to: body.ownerId, from: from,
                                                                actor: caller.actor.historyText, reason: reason)
        guard updated == assignments.count else {
            throw Problem(status: .conflict, code: "customer-changed", detail: "A customer changed while being reassigned; try again.")
        }
        // The customers' open follow-up tasks follow them to the new owner (and project), in this unit of work.
        for move in moves {
            _ = try await work.tasks.reassignOpenTasks(groupID: caller.groupID, customerID: move.customer.id, to: body.ownerId,
                                                       actor: caller.actor.historyText)
        }
        for move in moves {
            let c = move.customer
            try await record(work, context, "customer.reassign", c, projectID: move.to.projectID,
                             before: ["ownerId": c.ownerID?.uuidString.lowercased(), "projectId": c.projectID.uuidString.lowercased()],
                             after: ["ownerId": body.ownerId.uuidString.lowercased(), "projectId": move.to.projectID.uuidString.lowercased(),
                                     "reason": reason])
        }
        return ReassignmentBody(
            reassigned: zip(moves, assignments).map { move, assignment in
                ReassignedCustomerBody(customerId: move.customer.id, fromOwnerId: move.customer.ownerID, fromProjectId: move.customer.projectID,
                                       toOwnerId: body.ownerId, toProjectId: move.to.projectID, protectedUntil: assignment.protectedUntil)
            },
            unchanged: unchanged)
    }
}
