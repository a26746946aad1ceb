import EstateLogic
import Foundation
import PQ

/// A customer shared with a user.
public struct CustomerShare: Sendable, Hashable {
    public var customerID: UUID
    public var userID: UUID
    public var username: String
    public var displayName: String
    public var access: ShareAccess
    public var grantedBy: UUID
    public var grantedAt: Date
}

/// One row of a customer's ownership history.
public struct OwnershipRecord: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var customerID: UUID
    public var event: OwnershipEvent
    public var from: (ownerID: UUID?, projectID: UUID?)
    public var to: CustomerPlacement
    /// `user:<id>`, `api_key:<id>` or `system`.
    public var actor: String
    public var reason: String?
    public var at: Date

    public init(groupID: UUID, id: UUID = UUIDv7.make(), customerID: UUID, event: OwnershipEvent, from: (ownerID: UUID?, projectID: UUID?),
                to: CustomerPlacement, actor: String, reason: String?, at: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.customerID = customerID
        self.event = event
        self.from = from
        self.to = to
        self.actor = actor
        self.reason = reason
        self.at = at
    }

    public static func == (a: OwnershipRecord, b: OwnershipRecord) -> Bool {
        a.groupID == b.groupID && a.id == b.id && a.customerID == b.customerID && a.event == b.event && a.from.ownerID == b.from.ownerID
            && a.from.projectID == b.from.projectID && a.to == b.to && a.actor == b.actor && a.reason == b.reason && a.at == b.at
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// A customer given a new owner (and maybe project) by a reassignment: the version it was read at
/// (the update is conditional on it) and the end of the new owner's protection period.
public struct OwnerAssignment: Sendable, Hashable {
    public var customerID: UUID
    public var version: Int
    public var to: CustomerPlacement
    public var protectedUntil: Date

    public init(customerID: UUID, version: Int, to: CustomerPlacement, protectedUntil: Date) {
        self.customerID = customerID
        self.version = version
        self.to = to
        self.protectedUntil = protectedUntil
    }
}

/// A configured protection period.
public struct ProtectionPeriodSetting: Sendable, Hashable {
    /// A `customer_sources` code, or `*` for the group's default.
    public var source: String
    public var days: Int
    public var updatedAt: Date
}

/// Shares, owners, the public pool and protection periods of customers.
public struct CustomerOwnershipRepository: Sendable {
    let transaction: PQTransaction

    // MARK: Shares

    static let shareColumns: SQL = """
        s.customer_id, s.user_id, u.username, u.display_name, s.access, s.granted_by, s.granted_at
        FROM customer_shares s JOIN users u ON u.group_id = s.group_id AND u.id = s.user_id
        """

    static func decodeShare(_ row: PQRow) throws -> CustomerShare {
        guard let access = ShareAccess(rawValue: try row.decode("access")) else { throw DataError.internalFailure("share with an unknown access") }
        return CustomerShare(customerID: try row.decode("customer_id"), userID: try row.decode("user_id"), username: try row.decode("username"),
                             displayName: try row.decode("display_name"), access: access, grantedBy: try row.decode("granted_by"),
                             grantedAt: try row.decode("granted_at"))
    }

    /// The customer's shares, oldest first.
    public func shares(groupID: UUID, customerID: UUID) async throws -> [CustomerShare] {
        try await transaction.query("""
            SELECT \(Self.shareColumns) WHERE s.group_id = \(groupID) AND s.customer_id = \(customerID) ORDER BY s.granted_at, s.user_id
            """).map(Self.decodeShare)
    }

    /// Shares the customer with a user, or changes the access of an existing share (a share that
    /// already gives `access` is left as it is). Returns the share and the access it had before (nil: new).
    public func upsertShare(groupID: UUID, customerID: UUID, userID: UUID, access: ShareAccess,
                            grantedBy: UUID) async throws -> (share: CustomerShare, previous: ShareAccess?) {
        let previous: String? = try await transaction.query("""
            SELECT access FROM customer_shares WHERE group_id = \(groupID) AND customer_id = \(customerID) AND user_id = \(userID) FOR UPDATE
            """).firstRow?.decode("access")
        if previous != access.rawValue {
            try await transaction.execute("""
                INSERT INTO customer_shares (group_id, customer_id, user_id, access, granted_by)
                VALUES (\(groupID), \(customerID), \(userID), \(access.rawValue), \(grantedBy))
                ON CONFLICT (group_id, customer_id, user_id) DO UPDATE SET access = EXCLUDED.access, granted_by = EXCLUDED.granted_by,
                    granted_at = now()
                """)
        }
        guard let share = try await transaction.query("""
            SELECT \(Self.shareColumns) WHERE s.group_id = \(groupID) AND s.customer_id = \(customerID) AND s.user_id = \(userID)
            """).firstRow.map(Self.decodeShare) else { throw DataError.internalFailure("share vanished") }
        return (share, previous.flatMap(ShareAccess.init(rawValue:)))
    }

    /// Revokes a share; returns the access it gave, nil when there was none.
    public func deleteShare(groupID: UUID, customerID: UUID, userID: UUID) async throws -> ShareAccess? {
        let access: String? = try await transaction.query("""
            DELETE FROM customer_shares WHERE group_id = \(groupID) AND customer_id = \(customerID) AND user_id = \(userID) RETURNING access
            """).firstRow?.decode("access")
        return access.flatMap(ShareAccess.init(rawValue:))
    }

    /// Drops the shares of customers with their new owner (an owner has full rights; a share left
    /// behind would give access back after the customer moves on).
    func dropOwnShares(groupID: UUID, customerIDs: [UUID], ownerID: UUID) async throws {
        try await transaction.execute("""
            DELETE FROM customer_shares WHERE group_id = \(groupID) AND customer_id = ANY(\(customerIDs)::uuid[]) AND user_id = \(ownerID)
            """)
    }

    // MARK: Owners

    /// Gives customers to `ownerID` (and the project each assignment names), out of the pool, with
    /// a new protection period, each only if still at the version it was read at, and records each
    /// change in the ownership history (`reassigned`). Returns how many were changed: fewer than
    /// asked means some changed meanwhile, and the caller must not commit.
    public func setOwner(groupID: UUID, _ assignments: [OwnerAssignment], to ownerID: UUID, from: [UUID: CustomerPlacement],
                         actor: String, reason: String?) async throws -> Int {
        guard !assignments.isEmpty else { return 0 }
        let updated = try await transaction.execute("""
            UPDATE customers c SET owner_id = \(ownerID), project_id = t.project_id, pooled_at = NULL, protected_until = t.protected_until,
                   version = c.version + 1, updated_at = now()
            FROM unnest(\(assignments.map(\.customerID))::uuid[], \(assignments.map(\.version))::int8[],
                        \(assignments.map(\.to.projectID))::uuid[], \(assignments.map(\.protectedUntil))::timestamptz[])
                 AS t(id, version, project_id, protected_until)
            WHERE c.group_id = \(groupID) AND c.id = t.id AND c.version = t.version AND c.merged_into IS NULL
            """)
        guard updated == assignments.count else { return updated }
        try await dropOwnShares(groupID: groupID, customerIDs: assignments.map(\.customerID), ownerID: ownerID)
        let now = Date()
        try await CustomerHistoryRepository(transaction: transaction).recordOwnership(assignments.map { a in
            OwnershipRecord(groupID: groupID, customerID: a.customerID, event: .reassigned,
                            from: (from[a.customerID]?.ownerID, from[a.customerID]?.projectID), to: a.to, actor: actor, reason: reason, at: now)
        })
        return updated
    }

    /// Moves up to `limit` customers whose protection ended at or before `now` to their project's
    /// public pool (any group: the background sweep), skipping rows other transactions hold, with a
    /// `pooled` history row each by `system`. Returns them as they were before.
    public func lapse(now: Date, limit: Int) async throws -> [OwnershipRecord] {
        let rows = try await transaction.query("""
            SELECT c.group_id, c.id, c.owner_id, c.project_id FROM customers c
            WHERE c.owner_id IS NOT NULL AND c.merged_into IS NULL AND c.protected_until <= \(now) AND c.approval <> 'rejected'
            ORDER BY c.protected_until LIMIT \(limit) FOR UPDATE OF c SKIP LOCKED
            """)
        let lapsed = try rows.map { row in
            let project: UUID = try row.decode("project_id")
            return OwnershipRecord(groupID: try row.decode("group_id"), customerID: try row.decode("id"), event: .pooled,
                                   from: (try row.decode("owner_id", as: UUID?.self), project), to: CustomerPlacement(ownerID: nil, projectID: project),
                                   actor: AuditActor.system.historyText, reason: "protection period lapsed")
        }
        guard !lapsed.isEmpty else { return [] }
        let updated = try await transaction.execute("""
            UPDATE customers c SET owner_id = NULL, pooled_at = \(now), protected_until = \(ProtectionPeriod.inPool),
                   version = c.version + 1, updated_at = now()
            FROM unnest(\(lapsed.map(\.groupID))::uuid[], \(lapsed.map(\.customerID))::uuid[]) AS t(group_id, id)
            WHERE c.group_id = t.group_id AND c.id = t.id AND c.owner_id IS NOT NULL
            """)
        guard updated == lapsed.count else { throw DataError.internalFailure("a locked customer changed during the lapse sweep") }
        try await CustomerHistoryRepository(transaction: transaction).recordOwnership(lapsed)
        return lapsed
    }

    /// Gives a pooled customer to `userID` if it is still in the pool (a conditional update: of two
    /// claims at once exactly one changes the row); true when this claim won. Records the
    /// `claimed` history row and drops the claimant's own share.
    public func claim(groupID: UUID, customerID: UUID, projectID: UUID, userID: UUID, protectedUntil: Date, actor: String) async throws -> Bool {
        let updated = try await transaction.execute("""
            UPDATE customers SET owner_id = \(userID), pooled_at = NULL, protected_until = \(protectedUntil), version = version + 1, updated_at = now()
            WHERE group_id = \(groupID) AND id = \(customerID) AND owner_id IS NULL AND merged_into IS NULL
            """)
        guard updated == 1 else { return false }
        try await dropOwnShares(groupID: groupID, customerIDs: [customerID], ownerID: userID)
        try await CustomerHistoryRepository(transaction: transaction).recordOwnership(
            groupID: groupID, customerID: customerID, event: .claimed, from: (nil, projectID), to: (userID, projectID), actor: actor, reason: nil)
        return true
    }

    /// The project's public pool, most recently pooled first, before the keyset `before`.
    public func pool(groupID: UUID, projectID: UUID, before: (at: Date, id: UUID)?, limit: Int) async throws -> [Customer] {
        let keyset: SQL = before.map { "AND (c.pooled_at, c.id) < (\($0.at), \($0.id))" } ?? ""
        return try await transaction.query("""
            SELECT \(CustomerRepository.columns) FROM \(CustomerRepository.from)
            WHERE c.group_id = \(groupID) AND c.project_id = \(projectID) AND c.owner_id IS NULL AND c.merged_into IS NULL \(keyset)
            ORDER BY c.pooled_at DESC, c.id DESC LIMIT \(limit)
            """).map(CustomerRepository.decode)
    }

    /// The customer's ownership history, newest first, before the keyset `before`.
    public func history(groupID: UUID, customerID: UUID, before: (at: Date, id: UUID)?, limit: Int) async throws -> [OwnershipRecord] {
        let keyset: SQL = before.map { "AND (at, id) < (\($0.at), \($0.id))" } ?? ""
        return try await transaction.query("""
            SELECT group_id, id, customer_id, event, from_owner_id, to_owner_id, from_project_id, to_project_id, actor, reason, at
            FROM customer_ownership_history WHERE group_id = \(groupID) AND customer_id = \(customerID) \(keyset)
            ORDER BY at DESC, id DESC LIMIT \(limit)
            """).map { row in
                guard let event = OwnershipEvent(rawValue: try row.decode("event")) else {
                    throw DataError.internalFailure("ownership history with an unknown event")
                }
                return OwnershipRecord(groupID: try row.decode("group_id"), id: try row.decode("id"), customerID: try row.decode("customer_id"),
                                       event: event, from: (try row.decode("from_owner_id", as: UUID?.self), try row.decode("from_project_id", as: UUID?.self)),
                                       to: CustomerPlacement(ownerID: try row.decode("to_owner_id"), projectID: try row.decode("to_project_id")),
                                       actor: try row.decode("actor"), reason: try row.decode("reason"), at: try row.decode("at"))
            }
    }

    // MARK: Protection periods

    static func decodePeriod(_ row: PQRow) throws -> ProtectionPeriodSetting {
        ProtectionPeriodSetting(source: try row.decode("source"), days: Int(try row.decode("days", as: Int32.self)),
                                updatedAt: try row.decode("updated_at"))
    }

    /// The group's configured periods, by source (`*` first).
    public func protectionPeriods(groupID: UUID) async throws -> [ProtectionPeriodSetting] {
        try await transaction.query("""
            SELECT source, days, updated_at FROM customer_protection_periods WHERE group_id = \(groupID) ORDER BY source = '*' DESC, source
            """).map(Self.decodePeriod)
    }

    /// Sets the period of a source (or `*`); returns it and the days it had before (nil: none).
    public func setProtectionPeriod(groupID: UUID, source: String, days: Int) async throws -> (setting: ProtectionPeriodSetting, previous: Int?) {
        let previous: Int32? = try await transaction.query("""
            SELECT days FROM customer_protection_periods WHERE group_id = \(groupID) AND source = \(source) FOR UPDATE
            """).firstRow?.decode("days")
        guard let setting = try await transaction.query("""
            INSERT INTO customer_protection_periods (group_id, source, days) VALUES (\(groupID), \(source), \(days))
            ON CONFLICT (group_id, source) DO UPDATE SET days = EXCLUDED.days, updated_at = now()
            RETURNING source, days, updated_at
            """).firstRow.map(Self.decodePeriod) else { throw DataError.internalFailure("protection period not stored") }
        return (setting, previous.map(Int.init))
    }
}

extension CustomerHistoryRepository {
    /// Records many ownership changes in one statement (a bulk reassignment, a lapse sweep), with
    /// their events (``appendOwnershipEvents(_:)``).
    public func recordOwnership(_ records: [OwnershipRecord]) async throws {
        guard !records.isEmpty else { return }
        func text(_ id: UUID?) -> String { id?.uuidString.lowercased() ?? "" }
        try await transaction.execute("""
            INSERT INTO customer_ownership_history (group_id, id, customer_id, event, from_owner_id, to_owner_id, from_project_id,
                                                    to_project_id, actor, reason, at)
            SELECT t.group_id, t.id, t.customer_id, t.event, nullif(t.from_owner, '')::uuid, nullif(t.to_owner, '')::uuid,
                   nullif(t.from_project, '')::uuid, t.to_project, t.actor, nullif(t.reason, ''), t.at
            FROM unnest(\(records.map(\.groupID))::uuid[], \(records.map(\.id))::uuid[], \(records.map(\.customerID))::uuid[],
                        \(records.map(\.event.rawValue))::text[], \(records.map { text($0.from.ownerID) })::text[],
                        \(records.map { text($0.to.ownerID) })::text[], \(records.map { text($0.from.projectID) })::text[],
                        \(records.map(\.to.projectID))::uuid[], \(records.map(\.actor))::text[], \(records.map { $0.reason ?? "" })::text[],
                        \(records.map(\.at))::timestamptz[])
                 AS t(group_id, id, customer_id, event, from_owner, to_owner, from_project, to_project, actor, reason, at)
            """)
        try await appendOwnershipEvents(records)
    }

    /// The outbox events of ownership changes: `customer.created` for a creation,
    /// `customer.reassigned` for a reassignment, a claim or a lapse into the pool (a merge is no
    /// event of the catalogue).
    func appendOwnershipEvents(_ records: [OwnershipRecord]) async throws {
        let outbox = EventOutbox(transaction: transaction)
        try await outbox.append(records.filter { $0.event == .created }.map { record in
            (record.groupID, CustomerCreated(customerId: record.customerID, projectId: record.to.projectID, ownerId: record.to.ownerID,
                                             createdBy: record.actor))
        })
        try await outbox.append(records.compactMap { record -> (groupID: UUID, payload: CustomerReassigned)? in
            let via: CustomerReassigned.Via
            switch record.event {
            case .reassigned: via = .reassigned
            case .claimed: via = .claimed
            case .pooled: via = .pooled
            case .created, .merged: return nil
            }
            return (record.groupID, CustomerReassigned(
                customerId: record.customerID, via: via,
                from: CustomerReassigned.Placement(ownerId: record.from.ownerID, projectId: record.from.projectID),
                to: CustomerReassigned.Placement(ownerId: record.to.ownerID, projectId: record.to.projectID),
                reason: record.reason, actor: record.actor))
        })
    }
}

extension UnitOfWork {
    public var customerOwnership: CustomerOwnershipRepository { CustomerOwnershipRepository(transaction: transaction) }
}
