import EstateLogic
import Foundation
import PQ

extension AuditTrail {
    /// Appends events to the group's chain in four statements whatever their number (a bulk import
    /// audits every object it creates or changes): the group's head is locked (until the transaction
    /// ends) once, the chain of hashes is computed here entry by entry, and the entries are inserted
    /// in one statement.
    @discardableResult
    public func append(_ events: [AuditEvent], groupID: UUID, at date: Date = Date()) async throws -> [AuditEntry] {
        guard !events.isEmpty else { return [] }
        try await transaction.execute("""
            INSERT INTO audit_heads (group_id, last_sequence, last_hash) VALUES (\(groupID), 0, \(AuditChain.genesis))
            ON CONFLICT (group_id) DO NOTHING
            """)
        guard let head = try await transaction.query(
            "SELECT last_sequence, last_hash FROM audit_heads WHERE group_id = \(groupID) FOR UPDATE").firstRow else {
            throw DataError.internalFailure("audit head missing")
        }
        var previous: String = try head.decode("last_hash")
        var sequence = try head.decode("last_sequence", as: Int64.self)
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var entries: [AuditEntry] = []
        for event in events {
            sequence += 1
            var entry = AuditEntry(groupID: groupID, sequence: sequence, id: UUIDv7.make(at: date), occurredAtMicros: micros,
                                   event: event, previousHash: previous, hash: "")
            entry.hash = AuditChain.hash(of: entry, previousHash: previous, sha256Hex: SHA256Hex.of)
            previous = entry.hash
            entries.append(entry)
        }
        func text(_ id: UUID?) -> String { id?.uuidString.lowercased() ?? "" }
        let changes = try entries.map { try PQJSON(encoding: $0.event.changes).text }
        try await transaction.execute("""
            INSERT INTO audit_entries (group_id, sequence, id, occurred_at, actor_type, actor_id, action, object_type,
                                       object_id, org_unit_id, changes, request_id, previous_hash, hash)
            SELECT \(groupID), e.sequence, e.id, timestamptz 'epoch' + \(micros) * interval '1 microsecond', e.actor_type,
                   nullif(e.actor_id, '')::uuid, e.action, e.object_type, e.object_id, nullif(e.org_unit_id, '')::uuid, e.changes::jsonb,
                   nullif(e.request_id, ''), e.previous_hash, e.hash
            FROM unnest(\(entries.map(\.sequence))::int8[], \(entries.map(\.id))::uuid[], \(entries.map(\.event.actor.type))::text[],
                        \(entries.map { text($0.event.actor.id) })::text[], \(entries.map(\.event.action))::text[],
                        \(entries.map(\.event.objectType))::text[], \(entries.map(\.event.objectID))::uuid[],
                        \(entries.map { text($0.event.orgUnitID) })::text[], \(changes)::text[],
                        \(entries.map { $0.event.requestID ?? "" })::text[], \(entries.map(\.previousHash))::text[], \(entries.map(\.hash))::text[])
                 AS e(sequence, id, actor_type, actor_id, action, object_type, object_id, org_unit_id, changes, request_id,
                      previous_hash, hash)
            """)
        try await transaction.execute("""
            UPDATE audit_heads SET last_sequence = \(sequence), last_hash = \(previous) WHERE group_id = \(groupID)
            """)
        return entries
    }
}
