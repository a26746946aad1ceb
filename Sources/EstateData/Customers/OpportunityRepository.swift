import EstateLogic
import Foundation
import PQ

/// Opportunities, their stage history, the customer's overall stage they decide, and pipeline counts.
/// Callers lock the customer first (``CustomerRepository/find(groupID:id:lock:)``), so that changes of
/// one customer's opportunities, and the customer's stage computed from them, happen one at a time.
public struct OpportunityRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        o.group_id, o.id, o.customer_id, o.project_id, o.room_id, o.stage, o.lost_reason, o.lost_note, o.consultant_id,
        o.version, o.created_at, o.updated_at
        """

    static func stage(_ text: String) throws -> OpportunityStage {
        guard let stage = OpportunityStage(rawValue: text) else { throw DataError.internalFailure("opportunity with unknown stage \(text)") }
        return stage
    }

    static func decode(_ row: PQRow) throws -> Opportunity {
        Opportunity(groupID: try row.decode("group_id"), id: try row.decode("id"), customerID: try row.decode("customer_id"),
                    projectID: try row.decode("project_id"), roomID: try row.decode("room_id"), stage: try stage(try row.decode("stage")),
                    lostReason: try row.decode("lost_reason"), lostNote: try row.decode("lost_note"),
                    consultantID: try row.decode("consultant_id"), version: try row.decode("version"),
                    createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// Stores a new opportunity with its first history row and brings the customer's stage up to date.
    public func insert(_ o: Opportunity, actor: String, note: String?) async throws -> Opportunity {
        let row: PQRow?
        do {
            row = try await transaction.query("""
                INSERT INTO opportunities AS o (group_id, id, customer_id, project_id, room_id, stage, lost_reason, lost_note, consultant_id)
                VALUES (\(o.groupID), \(o.id), \(o.customerID), \(o.projectID), \(o.roomID), \(o.stage.rawValue), \(o.lostReason),
                        \(o.lostNote), \(o.consultantID))
                RETURNING \(Self.columns)
                """).firstRow
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "opportunities_live_key" {
            throw OpportunityError.alreadyLive(existing: nil)
        }
        guard let row else { throw DataError.internalFailure("opportunity insert returned nothing") }
        let stored = try Self.decode(row)
        try await appendHistory(groupID: o.groupID, OpportunityStageChange(
            id: UUIDv7.make(), opportunityID: o.id, customerID: o.customerID, from: nil, to: o.stage, actor: actor,
            lostReason: o.lostReason, note: note))
        try await refreshCustomerStage(groupID: o.groupID, customerID: o.customerID)
        return stored
    }

    /// The customer's live opportunity (neither lost nor contracted) for this project and room, if any.
    public func live(groupID: UUID, customerID: UUID, projectID: UUID, roomID: UUID?) async throws -> UUID? {
        try await transaction.query("""
            SELECT id FROM opportunities
            WHERE group_id = \(groupID) AND customer_id = \(customerID) AND project_id = \(projectID)
              AND room_id IS NOT DISTINCT FROM \(roomID) AND stage NOT IN ('lost', 'contracted')
            LIMIT 1
            """).firstRow?.decode("id")
    }

    /// An opportunity, locked for a change when `lock` is set.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> Opportunity? {
        let locking: SQL = lock ? "FOR UPDATE" : ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM opportunities o WHERE o.group_id = \(groupID) AND o.id = \(id) \(locking)
            """).firstRow.map(Self.decode)
    }

    /// A customer's opportunities in the order they were made, after the id `after`, at most `limit`.
    public func list(groupID: UUID, customerID: UUID, after: UUID?, limit: Int) async throws -> [Opportunity] {
        let keyset: SQL = after.map { "AND o.id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM opportunities o
            WHERE o.group_id = \(groupID) AND o.customer_id = \(customerID) \(keyset) ORDER BY o.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// Stores `next`, the opportunity `current` (read and locked) moved to another stage, with its
    /// history row, and brings the customer's stage up to date. The update is conditional on the
    /// version and stage read, so that a stale change cannot be applied.
    public func changeStage(from current: Opportunity, to next: Opportunity, actor: String, note: String?) async throws -> Opportunity {
        guard let row = try await transaction.query("""
            UPDATE opportunities AS o SET stage = \(next.stage.rawValue), lost_reason = \(next.lostReason), lost_note = \(next.lostNote),
                   version = version + 1, updated_at = now()
            WHERE o.group_id = \(current.groupID) AND o.id = \(current.id) AND o.version = \(current.version)
              AND o.stage = \(current.stage.rawValue)
            RETURNING \(Self.columns)
            """).firstRow else {
            let now = try await find(groupID: current.groupID, id: current.id)
            throw VersionConflict(object: "opportunity", current: now?.version ?? current.version)
        }
        try await appendHistory(groupID: current.groupID, OpportunityStageChange(
            id: UUIDv7.make(), opportunityID: current.id, customerID: current.customerID, from: current.stage, to: next.stage,
            actor: actor, lostReason: next.lostReason, note: note))
        try await refreshCustomerStage(groupID: current.groupID, customerID: current.customerID)
        return try Self.decode(row)
    }

    func appendHistory(groupID: UUID, _ c: OpportunityStageChange) async throws {
        try await transaction.execute("""
            INSERT INTO opportunity_stage_history (group_id, id, opportunity_id, customer_id, from_stage, to_stage, actor, lost_reason, note)
            VALUES (\(groupID), \(c.id), \(c.opportunityID), \(c.customerID), \(c.from?.rawValue), \(c.to.rawValue), \(c.actor),
                    \(c.lostReason), \(c.note))
            """)
    }

    /// An opportunity's stage history, oldest first.
    public func history(groupID: UUID, opportunityID: UUID) async throws -> [OpportunityStageChange] {
        try await transaction.query("""
            SELECT id, opportunity_id, customer_id, from_stage, to_stage, actor, lost_reason, note, at FROM opportunity_stage_history
            WHERE group_id = \(groupID) AND opportunity_id = \(opportunityID) ORDER BY at, id
            """).map { row in
                let from: String? = try row.decode("from_stage")
                return OpportunityStageChange(id: try row.decode("id"), opportunityID: try row.decode("opportunity_id"),
                                              customerID: try row.decode("customer_id"), from: try from.map(Self.stage),
                                              to: try Self.stage(try row.decode("to_stage")), actor: try row.decode("actor"),
                                              lostReason: try row.decode("lost_reason"), note: try row.decode("note"), at: try row.decode("at"))
            }
    }

    /// Sets `customers.stage` from the customer's opportunities by ``OpportunityStages/customerStage(_:)``
    /// (call it after moving opportunities between customers, e.g. in a merge, with the customer locked).
    public func refreshCustomerStage(groupID: UUID, customerID: UUID) async throws {
        let stages = try await transaction.query("""
            SELECT stage FROM opportunities WHERE group_id = \(groupID) AND customer_id = \(customerID)
            """).map { try Self.stage(try $0.decode("stage")) }
        let stage = OpportunityStages.customerStage(stages)?.rawValue
        try await transaction.execute("""
            UPDATE customers SET stage = \(stage), updated_at = now()
            WHERE group_id = \(groupID) AND id = \(customerID) AND stage IS DISTINCT FROM \(stage)
            """)
    }

    /// A project's opportunities counted by consultant, stage and lost reason; only `consultantID`'s
    /// when given (`.some(nil)`: those made while the customer was in the pool), only those made in
    /// `[from, until)` when given.
    public func pipeline(groupID: UUID, projectID: UUID, consultantID: UUID??, from: Date?, until: Date?) async throws -> [Pipeline.Row] {
        let consultant: SQL = consultantID.map { "AND consultant_id IS NOT DISTINCT FROM \($0)" } ?? ""
        let start: SQL = from.map { "AND created_at >= \($0)" } ?? ""
        let end: SQL = until.map { "AND created_at < \($0)" } ?? ""
        return try await transaction.query("""
            SELECT consultant_id, stage, lost_reason, count(*) AS n FROM opportunities
            WHERE group_id = \(groupID) AND project_id = \(projectID) \(consultant) \(start) \(end)
            GROUP BY consultant_id, stage, lost_reason
            """).map { row in
                Pipeline.Row(consultantID: try row.decode("consultant_id"), stage: try Self.stage(try row.decode("stage")),
                             lostReason: try row.decode("lost_reason"), count: try row.decode("n"))
            }
    }

    /// The display names of users of the group among `ids`.
    public func displayNames(groupID: UUID, ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await transaction.query("""
            SELECT id, display_name FROM users WHERE group_id = \(groupID) AND id = ANY(\(ids)::uuid[])
            """)
        var names: [UUID: String] = [:]
        for row in rows { names[try row.decode("id")] = try row.decode("display_name") }
        return names
    }
}

extension UnitOfWork {
    public var opportunities: OpportunityRepository { OpportunityRepository(transaction: transaction) }
}
