import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct RoleBody: ResponseEncodable {
    let code: String
    let name: String
    let level: String
    let builtIn: Bool
    let permissions: [String]

    init(_ role: RoleDefinition, builtIn: Bool) {
        code = role.code
        name = role.name
        level = role.level.rawValue
        self.builtIn = builtIn
        permissions = role.permissions.map(\.rawValue).sorted()
    }
}

struct RolesBody: ResponseEncodable {
    let items: [RoleBody]
}

struct CreateRole: Decodable {
    let code: String
    let name: String
    let level: String
    let permissions: [String]
}

struct CreateGrant: Decodable {
    let role: String
    let orgUnitId: UUID
}

struct StoredGrantBody: ResponseEncodable {
    let id: UUID
    let userId: UUID
    let role: String
    let orgUnitId: UUID
}

/// Roles (built-in and custom) and their grants to users at org units.
struct RoleController {
    let database: Database
    let organisation: OrgUnitController

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/roles", access: .permission(.usersRead)) { _, context in
            let caller = try context.requireCaller()
            let custom = try await database.unitOfWork { try await $0.roles.customRoles(groupID: caller.groupID) }
            return RolesBody(items: BuiltInRoles.all.map { RoleBody($0, builtIn: true) } + custom.map { RoleBody($0, builtIn: false) })
        }
        routes.add(.post, "/v1/roles", access: .permission(.adminRoles)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decode(as: CreateRole.self, context: context)
            let permissions = Set(body.permissions.map(Permission.init(rawValue:)))
            var violations = BuiltInRoles.validateCustom(code: body.code, name: body.name, permissions: permissions)
            let level = OrgUnitKind(rawValue: body.level)
            if level == nil { violations.append(FieldViolation(field: "level", message: "must be group, region, city_company or project")) }
            guard violations.isEmpty, let level else { throw Problem.validation(violations) }
            let role = RoleDefinition(code: body.code, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                                      level: level, permissions: permissions)
            try await database.unitOfWork { work in
                guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
                try context.authorize(.adminRoles, groupID: root.groupID, unitPath: root.path)
                let id = try await work.roles.insertCustom(role, groupID: caller.groupID)
                try await context.recordChange(work, action: "role.create", objectType: "role", objectID: id, orgUnitID: root.id,
                               changes: AuditChange.diff(before: [:], after: [
                                   "code": role.code, "name": role.name, "level": role.level.rawValue,
                                   "permissions": role.permissions.map(\.rawValue).sorted().joined(separator: ","),
                               ]),
                               groupID: caller.groupID)
            }
            var response = try RoleBody(role, builtIn: false).response(from: request, context: context)
            response.status = .created
            return response
        }
        routes.add(.post, "/v1/users/{id}/grants", access: .permission(.adminRoles)) { request, context in
            let caller = try context.requireCaller()
            let userID = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreateGrant.self, context: context)
            let grant = try await database.unitOfWork { work in
                guard let found = try await work.users.find(groupID: caller.groupID, id: userID, lock: true) else { throw Problem.notFound() }
                try context.authorize(.usersRead, groupID: found.user.groupID, unitPath: found.unitPath)
                let unit = try await organisation.visibleUnit(work, caller: caller, id: body.orgUnitId, field: "orgUnitId")
                try context.authorize(.adminRoles, groupID: unit.groupID, unitPath: unit.path)
                guard let role = try await work.roles.role(groupID: caller.groupID, code: body.role) else {
                    throw Problem.validation([FieldViolation(field: "role", message: "is not a role of the group")])
                }
                let missing = role.permissions.subtracting(caller.scope.permissions(groupID: unit.groupID, unitPath: unit.path))
                guard missing.isEmpty else { throw RoleError.exceedsGranter(missing.sorted()) }
                let grant = try await work.roles.grant(role.code, userID: found.user.id, orgUnitID: unit.id, groupID: caller.groupID)
                try await context.recordChange(work, action: "user.grant", objectType: "user", objectID: found.user.id, orgUnitID: unit.id,
                               changes: [AuditChange(field: "grant", before: nil, after: "\(role.code)@\(unit.code)")],
                               groupID: caller.groupID)
                return grant
            }
            var response = try StoredGrantBody(id: grant.id, userId: grant.userID, role: grant.role, orgUnitId: grant.orgUnitID)
                .response(from: request, context: context)
            response.status = .created
            return response
        }
        routes.add(.delete, "/v1/users/{id}/grants/{grantId}", access: .permission(.adminRoles)) { _, context in
            let caller = try context.requireCaller()
            let userID = try context.parameters.require("id", as: UUID.self)
            let grantID = try context.parameters.require("grantId", as: UUID.self)
            try await database.unitOfWork { work in
                guard let found = try await work.roles.grant(groupID: caller.groupID, id: grantID), found.grant.userID == userID else {
                    throw Problem.notFound()
                }
                try context.authorize(.adminRoles, groupID: caller.groupID, unitPath: found.unitPath)
                try await work.roles.revoke(groupID: caller.groupID, grantID: grantID)
                try await context.recordChange(work, action: "user.revoke_grant", objectType: "user", objectID: userID,
                               orgUnitID: found.grant.orgUnitID,
                               changes: [AuditChange(field: "grant", before: "\(found.grant.role)@\(found.grant.orgUnitID.uuidString.lowercased())", after: nil)],
                               groupID: caller.groupID)
            }
            return Response(status: .noContent)
        }
    }
}
