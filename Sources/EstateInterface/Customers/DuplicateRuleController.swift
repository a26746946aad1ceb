import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Duplicate rules of the group (no project) or of one project: managed by holders of
/// customers.assign at the rule's unit (the group's root for a group-wide rule).
struct DuplicateRuleController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/duplicate-rules", access: .permission(.customersRead)) { request, context in
            let caller = try context.requireCaller()
            var query = QueryReader(request)
            let projectID = query.uuid("projectId")
            try query.finish()
            let rules = try await database.unitOfWork { work in
                if let projectID { _ = try await context.inventory.project(work, projectID, .customersRead) }
                return try await work.duplicateRules.list(groupID: caller.groupID, projectID: projectID)
            }
            // A caller sees the group-wide rules and those of projects within reach.
            let visible = rules.filter { caller.scope.canSee(groupID: $0.groupID, unitPath: $0.unitPath) || $0.rule.projectID == nil }
            return ListBody(items: visible.map(DuplicateRuleBody.init))
        }
        routes.add(.post, "/v1/duplicate-rules", access: .permission(.customersAssign)) { request, context in
            let body = try await request.decode(as: DuplicateRuleInput.self, context: context)
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            let violations = DuplicateRule.violations(name: name, fieldSets: body.fieldSets)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let stored = try await database.unitOfWork { work in
                let path = try await Self.unitPath(work, context, projectID: body.projectId)
                try context.authorize(.customersAssign, groupID: caller.groupID, unitPath: path)
                let rule = DuplicateRule(id: UUIDv7.make(), projectID: body.projectId, name: name, fieldSets: Self.fieldSets(body.fieldSets),
                                         action: body.action, active: body.active ?? true)
                try await work.duplicateRules.insert(StoredDuplicateRule(groupID: caller.groupID, rule: rule, unitPath: path))
                guard let stored = try await work.duplicateRules.find(groupID: caller.groupID, id: rule.id) else { throw Problem.notFound() }
                try await Self.record(work, context, "duplicate_rule.create", stored, before: [:])
                return stored
            }
            return try Versioning.response(DuplicateRuleBody(stored), status: .created, version: stored.version, request: request, context: context)
        }
        routes.add(.get, "/v1/duplicate-rules/{id}", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let stored = try await database.unitOfWork { work in try await Self.rule(work, context, id, .customersRead) }
            return try Versioning.response(DuplicateRuleBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/duplicate-rules/{id}", access: .permission(.customersAssign)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: DuplicateRuleUpdate.self, context: context)
            let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines)
            let violations = DuplicateRule.violations(name: name ?? "rule", fieldSets: body.fieldSets ?? [["phone"]])
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let stored = try await database.unitOfWork { work in
                let current = try await Self.rule(work, context, id, .customersAssign, lock: true)
                guard current.version == version else { throw VersionConflict(object: "duplicate rule", current: current.version) }
                var changed = current
                if let name { changed.rule.name = name }
                if let sets = body.fieldSets { changed.rule.fieldSets = Self.fieldSets(sets) }
                if let action = body.action { changed.rule.action = action }
                if let active = body.active { changed.rule.active = active }
                if changed.rule == current.rule { return current }
                let stored = try await work.duplicateRules.update(changed)
                try await Self.record(work, context, "duplicate_rule.update", stored, before: current.auditFields)
                return stored
            }
            return try Versioning.response(DuplicateRuleBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.delete, "/v1/duplicate-rules/{id}", access: .permission(.customersAssign)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            try await database.unitOfWork { work in
                let current = try await Self.rule(work, context, id, .customersAssign, lock: true)
                guard current.version == version else { throw VersionConflict(object: "duplicate rule", current: current.version) }
                try await work.duplicateRules.delete(groupID: current.groupID, id: current.rule.id)
                try await context.recordChange(work, action: "duplicate_rule.delete", objectType: "duplicate_rule", objectID: current.rule.id,
                                               orgUnitID: current.rule.projectID, changes: AuditChange.diff(before: current.auditFields, after: [:]),
                                               groupID: current.groupID)
            }
            return Response(status: .noContent)
        }
    }

    static func fieldSets(_ names: [[String]]) -> [Set<DuplicateField>] {
        names.map { Set($0.compactMap(DuplicateField.init(rawValue:))) }
    }

    /// The path of the rule's unit: the project's, or the group's root for a group-wide rule.
    static func unitPath(_ work: UnitOfWork, _ context: EstateRequestContext, projectID: UUID?) async throws -> [UUID] {
        let caller = try context.requireCaller()
        if let projectID {
            guard let unit = try await work.orgUnits.find(groupID: caller.groupID, id: projectID), unit.kind == .project,
                  caller.scope.canSee(groupID: unit.groupID, unitPath: unit.path) else {
                throw Problem.validation([FieldViolation(field: "projectId", message: "is not a project you can see")])
            }
            return unit.path
        }
        guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
        // Everyone sees the group-wide rules; changing them needs customers.assign for the whole group.
        guard caller.scope.permissions(groupID: root.groupID, unitPath: root.path).contains(.customersAssign) else {
            throw Problem.forbidden(.customersAssign)
        }
        return root.path
    }

    static func rule(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID, _ permission: Permission,
                     lock: Bool = false) async throws -> StoredDuplicateRule {
        let caller = try context.requireCaller()
        guard let stored = try await work.duplicateRules.find(groupID: caller.groupID, id: id, lock: lock) else { throw Problem.notFound() }
        // Group-wide rules are readable by anyone who reads customers; changed only with customers.assign at the root.
        if stored.rule.projectID == nil {
            if permission == .customersRead { return stored }
            guard caller.scope.permissions(groupID: stored.groupID, unitPath: stored.unitPath).contains(permission) else {
                throw Problem.forbidden(permission)
            }
            return stored
        }
        try context.authorize(permission, groupID: stored.groupID, unitPath: stored.unitPath)
        return stored
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ stored: StoredDuplicateRule,
                       before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "duplicate_rule", objectID: stored.rule.id,
                                       orgUnitID: stored.rule.projectID, changes: AuditChange.diff(before: before, after: stored.auditFields),
                                       groupID: stored.groupID)
    }
}

extension StoredDuplicateRule {
    var auditFields: [String: String?] {
        ["name": rule.name, "action": rule.action.rawValue, "active": String(rule.active),
         "fieldSets": rule.fieldSets.map { $0.map(\.rawValue).sorted().joined(separator: "+") }.joined(separator: ","),
         "projectId": rule.projectID?.uuidString.lowercased()]
    }
}
