import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// The organisation tree, as far as the caller can see it.
struct OrgUnitController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/org-units", access: .permission(.orgRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let roots = Array(caller.scope.units(with: .orgRead))
            let units = try await database.unitOfWork { work in
                try await work.orgUnits.list(groupID: caller.groupID, under: roots, after: page.after, limit: page.limit)
            }
            return Page(items: units.map(OrgUnitBody.init), nextCursor: page.nextCursor(after: units, lastID: units.last?.id))
        }
        routes.add(.get, "/v1/org-units/{id}", access: .permission(.orgRead)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let found = try await database.unitOfWork { work -> (OrgUnit, [OrgUnit])? in
                guard let unit = try await work.orgUnits.find(groupID: caller.groupID, id: id) else { return nil }
                return (unit, try await work.orgUnits.children(groupID: caller.groupID, of: id))
            }
            guard let (unit, children) = found else { throw Problem.notFound() }
            try context.authorize(.orgRead, groupID: unit.groupID, unitPath: unit.path)
            return try Versioning.response(OrgUnitDetailBody(unit: OrgUnitBody(unit), children: children.map(OrgUnitBody.init)),
                                           version: unit.version, request: request, context: context)
        }
        routes.add(.post, "/v1/org-units", access: .permission(.orgWrite)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decode(as: CreateOrgUnit.self, context: context)
            var violations = OrgUnit.violations(code: body.code, name: body.name)
            let kind = OrgUnitKind(rawValue: body.kind)
            if kind == nil || kind == .group {
                violations.append(FieldViolation(field: "kind", message: "must be region, city_company or project"))
            }
            guard violations.isEmpty, let kind else { throw Problem.validation(violations) }
            let unit = try await database.unitOfWork { work in
                let parent = try await visibleUnit(work, caller: caller, id: body.parentId, field: "parentId")
                try context.authorize(.orgWrite, groupID: parent.groupID, unitPath: parent.path)
                guard let unit = OrgUnit.child(of: parent, id: UUIDv7.make(), kind: kind, code: body.code,
                                               name: body.name.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw OrganisationError.kindNotAllowed(parent: parent.kind, child: kind)
                }
                try await work.orgUnits.insert(unit)
                try await record(work, context, action: "org_unit.create", unit: unit, before: [:])
                return unit
            }
            return try Versioning.response(OrgUnitBody(unit), status: .created, version: unit.version,
                                           request: request, context: context)
        }
        routes.add(.patch, "/v1/org-units/{id}", access: .permission(.orgWrite)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateOrgUnit.self, context: context)
            let violations = OrgUnit.violations(code: body.code, name: body.name)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let unit = try await change(caller: caller, context: context, id: id, version: version) { work, unit in
                var changed = unit
                if let code = body.code { changed.code = code }
                if let name = body.name { changed.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
                return try await work.orgUnits.update(changed)
            }
            return try Versioning.response(OrgUnitBody(unit), version: unit.version, request: request, context: context)
        }
        routes.add(.post, "/v1/org-units/{id}/move", access: .permission(.orgWrite)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: MoveOrgUnit.self, context: context)
            let unit = try await change(caller: caller, context: context, id: id, version: version, action: "org_unit.move") { work, unit in
                let parent = try await visibleUnit(work, caller: caller, id: body.parentId, field: "parentId")
                try context.authorize(.orgWrite, groupID: parent.groupID, unitPath: parent.path)
                try unit.checkMove(under: parent)
                return try await work.orgUnits.move(unit, under: parent)
            }
            return try Versioning.response(OrgUnitBody(unit), version: unit.version, request: request, context: context)
        }
        routes.add(.post, "/v1/org-units/{id}/deactivate", access: .permission(.orgWrite)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let unit = try await change(caller: caller, context: context, id: id, version: version, action: "org_unit.deactivate") { work, unit in
                guard unit.parentID != nil else { throw OrganisationError.rootIsFixed }
                guard try await !work.orgUnits.hasActiveChildren(groupID: unit.groupID, id: unit.id) else {
                    throw OrganisationError.hasActiveChildren
                }
                var changed = unit
                changed.active = false
                return try await work.orgUnits.update(changed)
            }
            return try Versioning.response(OrgUnitBody(unit), version: unit.version, request: request, context: context)
        }
    }

    /// A unit the caller can see, for a reference in a request body: one they cannot see is a
    /// validation error on that field (the same as one that does not exist).
    func visibleUnit(_ work: UnitOfWork, caller: Caller, id: UUID, field: String) async throws -> OrgUnit {
        guard let unit = try await work.orgUnits.lock(groupID: caller.groupID, id: id),
              caller.scope.canSee(groupID: unit.groupID, unitPath: unit.path) else {
            throw Problem.validation([FieldViolation(field: field, message: "is not a unit you can see")])
        }
        return unit
    }

    /// Locks a unit, checks access and version, applies `edit`, and records the change in the audit trail.
    func change(caller: Caller, context: EstateRequestContext, id: UUID, version: Int, action: String = "org_unit.update",
                _ edit: (UnitOfWork, OrgUnit) async throws -> OrgUnit) async throws -> OrgUnit {
        try await database.unitOfWork { work in
            guard let unit = try await work.orgUnits.lock(groupID: caller.groupID, id: id) else { throw Problem.notFound() }
            try context.authorize(.orgWrite, groupID: unit.groupID, unitPath: unit.path)
            guard unit.version == version else { throw VersionConflict(object: "unit", current: unit.version) }
            let changed = try await edit(work, unit)
            try await record(work, context, action: action, unit: changed, before: unit.auditFields)
            return changed
        }
    }

    func record(_ work: UnitOfWork, _ context: EstateRequestContext, action: String, unit: OrgUnit,
                before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "org_unit", objectID: unit.id,
                       orgUnitID: unit.id, changes: AuditChange.diff(before: before, after: unit.auditFields),
                       groupID: unit.groupID)
    }
}
