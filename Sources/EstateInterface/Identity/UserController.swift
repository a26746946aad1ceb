import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Users of the caller's group, as far as the caller's reach goes.
struct UserController {
    let database: Database
    let settings: AuthenticationSettings
    let organisation: OrgUnitController

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/users", access: .permission(.usersRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let users = try await database.unitOfWork { work in
                try await work.users.list(groupID: caller.groupID, under: Array(caller.scope.units(with: .usersRead)),
                                          after: page.after, limit: page.limit)
            }
            return Page(items: users.map(UserBody.init), nextCursor: page.nextCursor(after: users, lastID: users.last?.id))
        }
        routes.add(.get, "/v1/users/{id}", access: .permission(.usersRead)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let found = try await database.unitOfWork { work in
                try await work.users.find(groupID: caller.groupID, id: id, lock: false)
            }
            guard let found else { throw Problem.notFound() }
            try context.authorize(.usersRead, groupID: found.user.groupID, unitPath: found.unitPath)
            return try Versioning.response(UserBody(found.user), version: found.user.version, request: request, context: context)
        }
        routes.add(.post, "/v1/users", access: .permission(.adminUsers)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decode(as: CreateUser.self, context: context)
            let username = body.username.lowercased()
            let violations = User.violations(username: username, displayName: body.displayName)
                + PasswordPolicy.standard.violations(of: body.password, username: username)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let hash = try await settings.hasher.hash(body.password)
            let user = try await database.unitOfWork { work in
                let unit = try await organisation.visibleUnit(work, caller: caller, id: body.orgUnitId, field: "orgUnitId")
                try context.authorize(.adminUsers, groupID: unit.groupID, unitPath: unit.path)
                let user = User(groupID: unit.groupID, id: UUIDv7.make(), orgUnitID: unit.id, username: username,
                                displayName: body.displayName.trimmingCharacters(in: .whitespacesAndNewlines))
                try await work.users.insert(user, passwordHash: hash)
                try await record(work, context, action: "user.create", user: user, before: [:])
                return user
            }
            return try Versioning.response(UserBody(user), status: .created, version: user.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/users/{id}", access: .permission(.adminUsers)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateUser.self, context: context)
            let violations = User.violations(username: nil, displayName: body.displayName)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let user = try await change(caller: caller, context: context, id: id, version: version, action: "user.update") { work, user in
                var changed = user
                if let name = body.displayName { changed.displayName = name.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let unitID = body.orgUnitId {
                    let unit = try await organisation.visibleUnit(work, caller: caller, id: unitID, field: "orgUnitId")
                    try context.authorize(.adminUsers, groupID: unit.groupID, unitPath: unit.path)
                    changed.orgUnitID = unit.id
                }
                return try await work.users.update(changed)
            }
            return try Versioning.response(UserBody(user), version: user.version, request: request, context: context)
        }
        routes.add(.post, "/v1/users/{id}/deactivate", access: .permission(.adminUsers)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let user = try await change(caller: caller, context: context, id: id, version: version, action: "user.deactivate") { work, user in
                var changed = user
                changed.active = false
                try await work.sessions.revokeAll(groupID: user.groupID, userID: user.id)
                return try await work.users.update(changed)
            }
            return try Versioning.response(UserBody(user), version: user.version, request: request, context: context)
        }
        routes.add(.post, "/v1/users/{id}/reset-password", access: .permission(.adminUsers)) { request, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: ResetPassword.self, context: context)
            let hash = try await database.unitOfWork { work -> String in
                guard let found = try await work.users.find(groupID: caller.groupID, id: id) else { throw Problem.notFound() }
                try context.authorize(.adminUsers, groupID: found.user.groupID, unitPath: found.unitPath)
                let violations = PasswordPolicy.standard.violations(of: body.password, username: found.user.username)
                guard violations.isEmpty else { throw Problem.validation(violations) }
                return try await settings.hasher.hash(body.password)
            }
            try await database.unitOfWork { work in
                guard let found = try await work.users.find(groupID: caller.groupID, id: id, lock: true) else { throw Problem.notFound() }
                try await work.users.setPassword(groupID: found.user.groupID, userID: found.user.id, hash: hash)
                try await work.sessions.revokeAll(groupID: found.user.groupID, userID: found.user.id)
                try await context.recordChange(work, action: "user.reset_password", objectType: "user", objectID: found.user.id,
                               orgUnitID: found.user.orgUnitID, changes: [AuditChange(field: "password", before: nil, after: "(reset)")],
                               groupID: found.user.groupID)
            }
            return Response(status: .noContent)
        }
    }

    /// Locks a user, checks access and version, applies `edit`, and records the change in the audit trail.
    func change(caller: Caller, context: EstateRequestContext, id: UUID, version: Int, action: String,
                _ edit: (UnitOfWork, User) async throws -> User) async throws -> User {
        try await database.unitOfWork { work in
            guard let found = try await work.users.find(groupID: caller.groupID, id: id, lock: true) else { throw Problem.notFound() }
            try context.authorize(.adminUsers, groupID: found.user.groupID, unitPath: found.unitPath)
            guard found.user.version == version else { throw VersionConflict(object: "user", current: found.user.version) }
            let changed = try await edit(work, found.user)
            try await record(work, context, action: action, user: changed, before: found.user.auditFields)
            return changed
        }
    }

    func record(_ work: UnitOfWork, _ context: EstateRequestContext, action: String, user: User,
                before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "user", objectID: user.id,
                       orgUnitID: user.orgUnitID, changes: AuditChange.diff(before: before, after: user.auditFields),
                       groupID: user.groupID)
    }
}
