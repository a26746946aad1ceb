import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct CreateAPIKey: Decodable {
    let name: String
    let orgUnitId: UUID
    let permissions: [String]
    let expiresAt: String
}

struct APIKeyBody: ResponseEncodable {
    let id: UUID
    let name: String
    let orgUnitId: UUID
    let permissions: [String]
    let createdBy: UUID
    let createdAt: Date
    let expiresAt: Date
    let revokedAt: Date?
    /// The key itself: only in the answer to its creation.
    let key: String?

    init(_ key: APIKey, secret: String? = nil) {
        id = key.id
        name = key.name
        orgUnitId = key.orgUnitID
        permissions = key.permissions.map(\.rawValue).sorted()
        createdBy = key.createdBy
        createdAt = key.createdAt
        expiresAt = key.expiresAt
        revokedAt = key.revokedAt
        self.key = secret
    }
}

/// API keys for integration partners, made by users holding `admin.api_keys`.
struct APIKeyController {
    let database: Database
    let organisation: OrgUnitController

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/api-keys", access: .permission(.adminAPIKeys)) { request, context in
            let caller = try context.requireCaller()
            guard let user = caller.user else {
                throw Problem(status: .forbidden, code: "not-a-user", detail: "Only signed-in users create API keys.")
            }
            let body = try await request.decode(as: CreateAPIKey.self, context: context)
            guard let expiresAt = RFC3339.date(from: body.expiresAt) else {
                throw Problem.validation([FieldViolation(field: "expiresAt", message: "must be an RFC 3339 date-time")])
            }
            let (key, token) = try await database.unitOfWork { work in
                let unit = try await organisation.visibleUnit(work, caller: caller, id: body.orgUnitId, field: "orgUnitId")
                try context.authorize(.adminAPIKeys, groupID: unit.groupID, unitPath: unit.path)
                let now = Date()
                let violations = APIKey.violations(
                    name: body.name, permissions: body.permissions,
                    creatorHolds: caller.scope.permissions(groupID: unit.groupID, unitPath: unit.path),
                    expiresAt: expiresAt, now: now)
                guard violations.isEmpty else { throw Problem.validation(violations) }
                let key = APIKey(groupID: unit.groupID, id: UUIDv7.make(), name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                                 orgUnitID: unit.id, permissions: Set(body.permissions.map(Permission.init(rawValue:))),
                                 createdBy: user.id, createdAt: now, expiresAt: expiresAt)
                let token = BearerToken.make(.apiKey, groupID: unit.groupID)
                try await work.apiKeys.insert(key, token: token)
                try await context.recordChange(work, action: "api_key.create", objectType: "api_key", objectID: key.id,
                               orgUnitID: key.orgUnitID,
                               changes: AuditChange.diff(before: [:], after: [
                                   "name": key.name, "permissions": key.permissions.map(\.rawValue).sorted().joined(separator: ","),
                                   "expiresAt": body.expiresAt,
                               ]),
                               groupID: key.groupID)
                return (key, token)
            }
            var response = try APIKeyBody(key, secret: token.text).response(from: request, context: context)
            response.status = .created
            return response
        }
        routes.add(.get, "/v1/api-keys", access: .permission(.adminAPIKeys)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let keys = try await database.unitOfWork { work in
                try await work.apiKeys.list(groupID: caller.groupID, under: Array(caller.scope.units(with: .adminAPIKeys)),
                                            after: page.after, limit: page.limit)
            }
            return Page(items: keys.map { APIKeyBody($0) }, nextCursor: page.nextCursor(after: keys, lastID: keys.last?.id))
        }
        routes.add(.post, "/v1/api-keys/{id}/revoke", access: .permission(.adminAPIKeys)) { _, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            try await database.unitOfWork { work in
                guard let found = try await work.apiKeys.find(groupID: caller.groupID, id: id, lock: true) else { throw Problem.notFound() }
                try context.authorize(.adminAPIKeys, groupID: found.key.groupID, unitPath: found.unitPath)
                if try await work.apiKeys.revoke(groupID: found.key.groupID, id: id) {
                    try await context.recordChange(work, action: "api_key.revoke", objectType: "api_key", objectID: id,
                                   orgUnitID: found.key.orgUnitID, changes: [AuditChange(field: "revoked", before: "false", after: "true")],
                                   groupID: found.key.groupID)
                }
            }
            return Response(status: .noContent)
        }
    }
}
