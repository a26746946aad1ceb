import EstateLogic
import Foundation
import PQ

/// API keys.
public struct APIKeyRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        k.group_id, k.id, k.name, k.org_unit_id, k.permissions, k.created_by, k.created_at, k.expires_at, k.revoked_at
        """

    static func decode(_ row: PQRow) throws -> APIKey {
        APIKey(groupID: try row.decode("group_id"), id: try row.decode("id"), name: try row.decode("name"),
               orgUnitID: try row.decode("org_unit_id"),
               permissions: Set(try row.decode("permissions", as: [String].self).map(Permission.init(rawValue:))),
               createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"),
               expiresAt: try row.decode("expires_at"), revokedAt: try row.decode("revoked_at"))
    }

    /// Stores a new key with the hash of its token.
    public func insert(_ key: APIKey, token: BearerToken) async throws {
        try await transaction.execute("""
            INSERT INTO api_keys (group_id, id, name, org_unit_id, permissions, token_hash, created_by, created_at, expires_at)
            VALUES (\(key.groupID), \(key.id), \(key.name), \(key.orgUnitID), \(key.permissions.map(\.rawValue).sorted()),
                    \(token.storedHash), \(key.createdBy), \(key.createdAt), \(key.expiresAt))
            """)
    }

    /// The live key of a token: not expired, not revoked, its unit still active.
    public func live(_ token: BearerToken) async throws -> APIKey? {
        try await transaction.query("""
            SELECT \(Self.columns) FROM api_keys k JOIN org_units o ON o.group_id = k.group_id AND o.id = k.org_unit_id
            WHERE k.group_id = \(token.groupID) AND k.token_hash = \(token.storedHash)
              AND k.revoked_at IS NULL AND k.expires_at > now() AND o.active
            """).firstRow.map(Self.decode)
    }

    /// A key with its unit's path (for scope checks), locked when asked.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> (key: APIKey, unitPath: [UUID])? {
        let locking: SQL = lock ? "FOR UPDATE OF k" : ""
        return try await transaction.query("""
            SELECT \(Self.columns), o.path FROM api_keys k JOIN org_units o ON o.group_id = k.group_id AND o.id = k.org_unit_id
            WHERE k.group_id = \(groupID) AND k.id = \(id) \(locking)
            """).firstRow.map { (try Self.decode($0), try $0.decode("path", as: [UUID].self)) }
    }

    /// Keys at or below `roots`, in id order after `cursor`.
    public func list(groupID: UUID, under roots: [UUID], after cursor: UUID?, limit: Int) async throws -> [APIKey] {
        let after: SQL = cursor.map { "AND k.id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM api_keys k JOIN org_units o ON o.group_id = k.group_id AND o.id = k.org_unit_id
            WHERE k.group_id = \(groupID) AND o.path && \(roots) \(after) ORDER BY k.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// Revokes a key; returns whether it was live.
    @discardableResult
    public func revoke(groupID: UUID, id: UUID) async throws -> Bool {
        try await transaction.execute("""
            UPDATE api_keys SET revoked_at = now() WHERE group_id = \(groupID) AND id = \(id) AND revoked_at IS NULL
            """) == 1
    }
}

extension UnitOfWork {
    public var apiKeys: APIKeyRepository { APIKeyRepository(transaction: transaction) }
}
