import EstateLogic
import Foundation
import PQ

/// The organisation tree.
public struct OrgUnitRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = "group_id, id, parent_id, kind, code, name, active, path, version"

    static func decode(_ row: PQRow) throws -> OrgUnit {
        let kind: String = try row.decode("kind")
        guard let parsed = OrgUnitKind(rawValue: kind) else {
            throw DataError.internalFailure("org unit of unknown kind \(kind)")
        }
        return OrgUnit(groupID: try row.decode("group_id"), id: try row.decode("id"),
                       parentID: try row.decode("parent_id"), kind: parsed, code: try row.decode("code"),
                       name: try row.decode("name"), active: try row.decode("active"), path: try row.decode("path"),
                       version: try row.decode("version"))
    }

    /// Runs a write, turning a clash on the group's unit codes into ``OrganisationError/codeTaken(_:)``.
    @discardableResult
    private func refusingDuplicateCode<T>(_ code: String, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "org_units_code_key" {
            throw OrganisationError.codeTaken(code)
        }
    }

    public func insert(_ unit: OrgUnit) async throws {
        try await refusingDuplicateCode(unit.code) {
            try await transaction.execute("""
                INSERT INTO org_units (group_id, id, parent_id, kind, code, name, active, path, version)
                VALUES (\(unit.groupID), \(unit.id), \(unit.parentID), \(unit.kind.rawValue), \(unit.code), \(unit.name),
                        \(unit.active), \(unit.path), \(unit.version))
                """)
        }
    }

    /// Locks a unit for a change; nil when it does not exist.
    public func lock(groupID: UUID, id: UUID) async throws -> OrgUnit? {
        try await transaction.query("SELECT \(Self.columns) FROM org_units WHERE group_id = \(groupID) AND id = \(id) FOR UPDATE")
            .firstRow.map(Self.decode)
    }

    /// Stores a changed code, name or active flag of a unit read (and locked) at `unit.version`; returns the stored unit.
    public func update(_ unit: OrgUnit) async throws -> OrgUnit {
        try await refusingDuplicateCode(unit.code) {
            guard let row = try await transaction.query("""
                UPDATE org_units SET code = \(unit.code), name = \(unit.name), active = \(unit.active),
                       version = version + 1, updated_at = now()
                WHERE group_id = \(unit.groupID) AND id = \(unit.id) AND version = \(unit.version)
                RETURNING \(Self.columns)
                """).firstRow else {
                throw VersionConflict(object: "unit", current: unit.version)
            }
            return try Self.decode(row)
        }
    }

    /// Whether a unit has active children.
    public func hasActiveChildren(groupID: UUID, id: UUID) async throws -> Bool {
        try await !transaction.query("""
            SELECT 1 FROM org_units WHERE group_id = \(groupID) AND parent_id = \(id) AND active LIMIT 1
            """).isEmpty
    }

    /// Moves a unit and its whole subtree under a new parent (paths rewritten in one statement).
    public func move(_ unit: OrgUnit, under parent: OrgUnit) async throws -> OrgUnit {
        let depth = unit.path.count
        try await transaction.execute("""
            UPDATE org_units
            SET path = \(parent.path) || path[\(depth):],
                parent_id = CASE WHEN id = \(unit.id) THEN \(parent.id) ELSE parent_id END,
                version = version + 1, updated_at = now()
            WHERE group_id = \(unit.groupID) AND path @> ARRAY[\(unit.id)]
            """)
        guard let moved = try await find(groupID: unit.groupID, id: unit.id) else {
            throw DataError.internalFailure("moved unit vanished")
        }
        return moved
    }

    public func find(groupID: UUID, id: UUID) async throws -> OrgUnit? {
        try await transaction.query("SELECT \(Self.columns) FROM org_units WHERE group_id = \(groupID) AND id = \(id)")
            .firstRow.map(Self.decode)
    }

    public func find(groupID: UUID, code: String) async throws -> OrgUnit? {
        try await transaction.query("SELECT \(Self.columns) FROM org_units WHERE group_id = \(groupID) AND code = \(code)")
            .firstRow.map(Self.decode)
    }

    /// The direct children of a unit, by code.
    public func children(groupID: UUID, of id: UUID) async throws -> [OrgUnit] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM org_units WHERE group_id = \(groupID) AND parent_id = \(id) ORDER BY code
            """).map(Self.decode)
    }

    /// Units at or below any of `roots`, in id order after `cursor` (keyset pagination).
    public func list(groupID: UUID, under roots: [UUID], after cursor: UUID?, limit: Int) async throws -> [OrgUnit] {
        let after: SQL = cursor.map { "AND id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM org_units
            WHERE group_id = \(groupID) AND path && \(roots) \(after)
            ORDER BY id LIMIT \(limit)
            """).map(Self.decode)
    }
}

/// Users and their role grants.
public struct UserRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = "u.group_id, u.id, u.org_unit_id, u.username, u.display_name, u.active, u.version"

    static func decode(_ row: PQRow) throws -> User {
        User(groupID: try row.decode("group_id"), id: try row.decode("id"), orgUnitID: try row.decode("org_unit_id"),
             username: try row.decode("username"), displayName: try row.decode("display_name"), active: try row.decode("active"),
             version: try row.decode("version"))
    }

    public func insert(_ user: User, passwordHash: String) async throws {
        do {
            try await transaction.execute("""
                INSERT INTO users (group_id, id, org_unit_id, username, display_name, password_hash, active)
                VALUES (\(user.groupID), \(user.id), \(user.orgUnitID), \(user.username), \(user.displayName),
                        \(passwordHash), \(user.active))
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "users_username_key" {
            throw IdentityError.usernameTaken(user.username)
        }
    }

    /// A user with the unit path where they belong (for scope checks), locked for a change when asked.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> (user: User, unitPath: [UUID])? {
        let locking: SQL = lock ? "FOR UPDATE OF u" : ""
        return try await transaction.query("""
            SELECT \(Self.columns), o.path FROM users u JOIN org_units o ON o.group_id = u.group_id AND o.id = u.org_unit_id
            WHERE u.group_id = \(groupID) AND u.id = \(id) \(locking)
            """).firstRow.map { (try Self.decode($0), try $0.decode("path", as: [UUID].self)) }
    }

    /// Users belonging to units at or below `roots`, in id order after `cursor`.
    public func list(groupID: UUID, under roots: [UUID], after cursor: UUID?, limit: Int) async throws -> [User] {
        let after: SQL = cursor.map { "AND u.id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM users u JOIN org_units o ON o.group_id = u.group_id AND o.id = u.org_unit_id
            WHERE u.group_id = \(groupID) AND o.path && \(roots) \(after)
            ORDER BY u.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// Stores a changed display name, unit or active flag of a user read at `user.version`.
    public func update(_ user: User) async throws -> User {
        guard let row = try await transaction.query("""
            UPDATE users u SET display_name = \(user.displayName), org_unit_id = \(user.orgUnitID), active = \(user.active),
                   version = version + 1, updated_at = now()
            WHERE group_id = \(user.groupID) AND id = \(user.id) AND version = \(user.version)
            RETURNING \(Self.columns)
            """).firstRow else {
            throw VersionConflict(object: "user", current: user.version)
        }
        return try Self.decode(row)
    }

    /// Replaces a user's password hash.
    public func setPassword(groupID: UUID, userID: UUID, hash: String) async throws {
        try await transaction.execute("""
            UPDATE users SET password_hash = \(hash), version = version + 1, updated_at = now()
            WHERE group_id = \(groupID) AND id = \(userID)
            """)
    }

    /// The user and password hash for a login, found by group code and username.
    public func credentials(groupCode: String, username: String) async throws -> (user: User, passwordHash: String)? {
        try await transaction.query("""
            SELECT \(Self.columns), u.password_hash FROM users u JOIN groups g ON g.id = u.group_id
            WHERE g.code = \(groupCode) AND u.username = \(username) AND g.active
            """).firstRow.map { (try Self.decode($0), try $0.decode("password_hash", as: String.self)) }
    }

}

/// Login sessions.
public struct SessionRepository: Sendable {
    let transaction: PQTransaction

    public func create(token: BearerToken, userID: UUID, expiresAt: Date) async throws -> UUID {
        let id = UUIDv7.make()
        try await transaction.execute("""
            INSERT INTO sessions (group_id, id, user_id, token_hash, expires_at)
            VALUES (\(token.groupID), \(id), \(userID), \(token.storedHash), \(expiresAt))
            """)
        return id
    }

    /// The live session of a token, its active user and the user's grants (one statement: this runs
    /// before every signed-in request); nil when unknown, expired, revoked or the user is inactive.
    public func live(_ token: BearerToken) async throws -> (sessionID: UUID, expiresAt: Date, user: User, grants: [RoleGrant])? {
        try await transaction.query("""
            SELECT s.id AS session_id, s.expires_at, \(UserRepository.columns), \(RoleRepository.grantArrays("u"))
            FROM sessions s JOIN users u ON u.group_id = s.group_id AND u.id = s.user_id
            WHERE s.group_id = \(token.groupID) AND s.token_hash = \(token.storedHash)
              AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active
            """).firstRow.map {
            (try $0.decode("session_id", as: UUID.self), try $0.decode("expires_at", as: Date.self), try UserRepository.decode($0),
             try RoleRepository.decodeGrantArrays($0))
        }
    }

    /// Ends every live session of a user (deactivation, password reset).
    public func revokeAll(groupID: UUID, userID: UUID) async throws {
        try await transaction.execute("""
            UPDATE sessions SET revoked_at = now() WHERE group_id = \(groupID) AND user_id = \(userID) AND revoked_at IS NULL
            """)
    }

    /// Ends a session; returns whether it was live.
    @discardableResult
    public func revoke(groupID: UUID, sessionID: UUID) async throws -> Bool {
        try await transaction.execute("""
            UPDATE sessions SET revoked_at = now()
            WHERE group_id = \(groupID) AND id = \(sessionID) AND revoked_at IS NULL
            """) == 1
    }
}

extension UnitOfWork {
    public var orgUnits: OrgUnitRepository { OrgUnitRepository(transaction: transaction) }
    public var users: UserRepository { UserRepository(transaction: transaction) }
    public var sessions: SessionRepository { SessionRepository(transaction: transaction) }
}
