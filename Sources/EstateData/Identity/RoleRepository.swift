import EstateLogic
import Foundation
import PQ

/// A grant as stored: which role, where, to whom.
public struct StoredGrant: Sendable, Hashable {
    public let id: UUID
    public let userID: UUID
    public let role: String
    public let orgUnitID: UUID
}

/// Custom roles and role grants.
public struct RoleRepository: Sendable {
    let transaction: PQTransaction

    static func decodeRole(_ row: PQRow) throws -> RoleDefinition {
        let level: String = try row.decode("level")
        return RoleDefinition(code: try row.decode("code"), name: try row.decode("name"), level: OrgUnitKind(rawValue: level) ?? .project,
                              permissions: Set(try row.decode("permissions", as: [String].self).map(Permission.init(rawValue:))))
    }

    /// The group's custom roles, by code.
    public func customRoles(groupID: UUID) async throws -> [RoleDefinition] {
        try await transaction.query("""
            SELECT code, name, level, permissions FROM custom_roles WHERE group_id = \(groupID) ORDER BY code
            """).map(Self.decodeRole)
    }

    /// A built-in role or one of the group's custom roles.
    public func role(groupID: UUID, code: String) async throws -> RoleDefinition? {
        if let builtIn = BuiltInRoles.named(code) { return builtIn }
        return try await transaction.query("""
            SELECT code, name, level, permissions FROM custom_roles WHERE group_id = \(groupID) AND code = \(code)
            """).firstRow.map(Self.decodeRole)
    }

    public func insertCustom(_ role: RoleDefinition, groupID: UUID) async throws -> UUID {
        let id = UUIDv7.make()
        do {
            try await transaction.execute("""
                INSERT INTO custom_roles (group_id, code, id, name, level, permissions)
                VALUES (\(groupID), \(role.code), \(id), \(role.name), \(role.level.rawValue), \(role.permissions.map(\.rawValue).sorted()))
                """)
        } catch let error as PQError where error.isUniqueViolation {
            throw RoleError.codeTaken(role.code)
        }
        return id
    }

    /// Grants a role to a user at a unit; returns the grant (the existing one when it was already there).
    public func grant(_ role: String, userID: UUID, orgUnitID: UUID, groupID: UUID) async throws -> StoredGrant {
        let id = UUIDv7.make()
        let row = try await transaction.query("""
            INSERT INTO role_grants (group_id, id, user_id, role, org_unit_id)
            VALUES (\(groupID), \(id), \(userID), \(role), \(orgUnitID))
            ON CONFLICT ON CONSTRAINT role_grants_unique DO UPDATE SET role = EXCLUDED.role
            RETURNING id
            """).firstRow
        return StoredGrant(id: try row?.decode("id") ?? id, userID: userID, role: role, orgUnitID: orgUnitID)
    }

    /// A grant with the path of its unit, locked.
    public func grant(groupID: UUID, id: UUID) async throws -> (grant: StoredGrant, unitPath: [UUID])? {
        try await transaction.query("""
            SELECT g.id, g.user_id, g.role, g.org_unit_id, o.path
            FROM role_grants g JOIN org_units o ON o.group_id = g.group_id AND o.id = g.org_unit_id
            WHERE g.group_id = \(groupID) AND g.id = \(id) FOR UPDATE OF g
            """).firstRow.map {
            (StoredGrant(id: try $0.decode("id"), userID: try $0.decode("user_id"), role: try $0.decode("role"),
                         orgUnitID: try $0.decode("org_unit_id")), try $0.decode("path", as: [UUID].self))
        }
    }

    public func revoke(groupID: UUID, grantID: UUID) async throws {
        try await transaction.execute("DELETE FROM role_grants WHERE group_id = \(groupID) AND id = \(grantID)")
    }

    /// A user's grants with the permissions each role gives (built-in or custom).
    public func resolvedGrants(groupID: UUID, userID: UUID) async throws -> [(grant: StoredGrant, permissions: Set<Permission>)] {
        try await transaction.query("""
            SELECT g.id, g.user_id, g.role, g.org_unit_id, c.permissions
            FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
            WHERE g.group_id = \(groupID) AND g.user_id = \(userID) ORDER BY g.role, g.org_unit_id
            """).map { row in
            let grant = StoredGrant(id: try row.decode("id"), userID: try row.decode("user_id"), role: try row.decode("role"),
                                    orgUnitID: try row.decode("org_unit_id"))
            return (grant, Self.permissions(role: grant.role, custom: try row.decode("permissions", as: [String]?.self)))
        }
    }

    /// A role's permissions: a built-in role's own, else the custom role's (none for an unknown role).
    static func permissions(role: String, custom: [String]?) -> Set<Permission> {
        BuiltInRoles.named(role)?.permissions ?? custom.map { Set($0.map(Permission.init(rawValue:))) } ?? []
    }

    /// Columns `grant_roles`, `grant_units` and `grant_custom` (a custom role's permissions joined by
    /// spaces, NULL for a built-in role): the grants of the user row aliased `user`, in grant order,
    /// for reading a caller's scope in the same statement as the caller (``decodeGrantArrays(_:)``).
    static func grantArrays(_ user: SQL) -> SQL {
        let grants: SQL = """
            FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
            WHERE g.group_id = \(user).group_id AND g.user_id = \(user).id ORDER BY g.role, g.org_unit_id
            """
        return """
            ARRAY(SELECT g.role \(grants)) AS grant_roles, ARRAY(SELECT g.org_unit_id \(grants)) AS grant_units,
            ARRAY(SELECT array_to_string(c.permissions, ' ') \(grants)) AS grant_custom
            """
    }

    static func decodeGrantArrays(_ row: PQRow) throws -> [RoleGrant] {
        let roles = try row.decode("grant_roles", as: [String].self)
        let units = try row.decode("grant_units", as: [UUID].self)
        let custom = try row.decode("grant_custom", as: [String?].self)
        guard roles.count == units.count, roles.count == custom.count else { throw DataError.internalFailure("grant arrays disagree") }
        return roles.indices.map { index in
            RoleGrant(role: roles[index], orgUnitID: units[index], permissions: permissions(
                role: roles[index], custom: custom[index].map { $0.split(separator: " ").map(String.init) }))
        }
    }
}

extension RoleRepository {
    /// What a user may see and do: their grants with each role's permissions.
    public func scope(groupID: UUID, userID: UUID) async throws -> AccessScope {
        AccessScope(groupID: groupID, grants: try await resolvedGrants(groupID: groupID, userID: userID).map {
            RoleGrant(role: $0.grant.role, orgUnitID: $0.grant.orgUnitID, permissions: $0.permissions)
        })
    }
}

/// Why a role change is refused.
public enum RoleError: Error, Sendable, Hashable {
    case codeTaken(String)
    /// The granter lacks some of the role's permissions at that unit: no one hands out more than they hold.
    case exceedsGranter([Permission])
}

extension UnitOfWork {
    public var roles: RoleRepository { RoleRepository(transaction: transaction) }
}
