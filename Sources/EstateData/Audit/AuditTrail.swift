import EstateLogic
import Foundation
import PQ

/// The audit trail of a unit of work: every write appends its entries here, in the same transaction.
public struct AuditTrail: Sendable {
    let transaction: PQTransaction

    /// Appends an event to the group's chain (locks the group's head until the transaction ends).
    @discardableResult
    public func append(_ event: AuditEvent, groupID: UUID, at date: Date = Date()) async throws -> AuditEntry {
        try await append([event], groupID: groupID, at: date)[0]
    }

    static let columns: SQL = """
        group_id, sequence, id, (extract(epoch FROM occurred_at) * 1000000)::int8 AS occurred_micros, actor_type, actor_id,
        action, object_type, object_id, org_unit_id, changes, request_id, previous_hash, hash
        """

    static func decode(_ row: PQRow) throws -> AuditEntry {
        guard let actor = AuditActor(type: try row.decode("actor_type"), id: try row.decode("actor_id")) else {
            throw DataError.internalFailure("audit entry with an unknown actor")
        }
        let event = AuditEvent(actor: actor, action: try row.decode("action"), objectType: try row.decode("object_type"),
                               objectID: try row.decode("object_id"), orgUnitID: try row.decode("org_unit_id"),
                               changes: try row.decode("changes", as: PQJSON.self).decode([AuditChange].self),
                               requestID: try row.decode("request_id"))
        return AuditEntry(groupID: try row.decode("group_id"), sequence: try row.decode("sequence"), id: try row.decode("id"),
                          occurredAtMicros: try row.decode("occurred_micros"), event: event,
                          previousHash: try row.decode("previous_hash"), hash: try row.decode("hash"))
    }

    /// What to look for in a group's trail.
    public struct Filter: Sendable {
        public var objectType: String?
        public var objectID: UUID?
        public var actorID: UUID?
        public var from: Date?
        public var until: Date?
        /// Only entries about these units or below (nil: all of the group).
        public var underUnits: [UUID]?

        public init(objectType: String? = nil, objectID: UUID? = nil, actorID: UUID? = nil, from: Date? = nil,
                    until: Date? = nil, underUnits: [UUID]? = nil) {
            self.objectType = objectType
            self.objectID = objectID
            self.actorID = actorID
            self.from = from
            self.until = until
            self.underUnits = underUnits
        }
    }

    /// Entries of a group, newest first, before `beforeSequence` (keyset pagination).
    public func entries(groupID: UUID, filter: Filter, beforeSequence: Int64?, limit: Int) async throws -> [AuditEntry] {
        var conditions: [SQL] = ["group_id = \(groupID)"]
        if let value = filter.objectType { conditions.append("object_type = \(value)") }
        if let value = filter.objectID { conditions.append("object_id = \(value)") }
        if let value = filter.actorID { conditions.append("actor_id = \(value)") }
        if let value = filter.from { conditions.append("occurred_at >= \(value)") }
        if let value = filter.until { conditions.append("occurred_at < \(value)") }
        if let value = beforeSequence { conditions.append("sequence < \(value)") }
        if let units = filter.underUnits {
            // Entries about units in reach; entries about no unit (group-wide) only with a grant at the root.
            conditions.append("""
                (org_unit_id IN (SELECT id FROM org_units WHERE group_id = \(groupID) AND path && \(units))
                 OR (org_unit_id IS NULL AND EXISTS (SELECT 1 FROM org_units WHERE group_id = \(groupID)
                                                     AND parent_id IS NULL AND id = ANY(\(units)))))
                """)
        }
        return try await transaction.query("""
            SELECT \(AuditTrail.columns) FROM audit_entries WHERE \(SQL.join(conditions, separator: " AND "))
            ORDER BY sequence DESC LIMIT \(limit)
            """).map(Self.decode)
    }
}

extension UnitOfWork {
    public var audit: AuditTrail { AuditTrail(transaction: transaction) }
}

/// The outcome of checking one group's trail.
public struct AuditVerification: Sendable {
    public let groupCode: String
    public let entries: Int
    /// nil when the chain is whole.
    public let firstBreak: AuditChain.Break?
}

extension Database {
    /// Recomputes every group's chain (or one group's) from the stored entries.
    public func verifyAudit(groupCode: String? = nil) async throws -> [AuditVerification] {
        try await unitOfWork { work in
            let groups = try await work.transaction.query("""
                SELECT g.id, g.code, h.last_sequence, h.last_hash
                FROM groups g LEFT JOIN audit_heads h ON h.group_id = g.id
                WHERE \(groupCode) IS NULL OR g.code = \(groupCode) ORDER BY g.code
                """)
            var results: [AuditVerification] = []
            for group in groups {
                let groupID: UUID = try group.decode("id")
                let entries = try await work.transaction.query("""
                    SELECT \(AuditTrail.columns) FROM audit_entries WHERE group_id = \(groupID) ORDER BY sequence
                    """).map(AuditTrail.decode)
                let head: (Int64, String)? = try group.decode("last_sequence", as: Int64?.self).map {
                    ($0, try group.decode("last_hash", as: String.self))
                }
                results.append(AuditVerification(
                    groupCode: try group.decode("code"), entries: entries.count,
                    firstBreak: AuditChain.verify(entries, head: head.map { (sequence: $0.0, hash: $0.1) },
                                                  sha256Hex: SHA256Hex.of)))
            }
            return results
        }
    }
}
