import EstateLogic
import Foundation
import PQ

/// A change request as stored (a special transaction of a deal: DOMAIN.md, "The sale, step by step"),
/// with its deal's project for the scope check.
public struct StoredChangeRequest: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var dealID: UUID
    public var projectID: UUID
    /// The project's path in the organisation.
    public var projectPath: [UUID]
    public var kind: ChangeRequestKind
    public var status: ChangeRequestStatus
    public var reason: String
    /// What is asked, JSON text (the kind's fields).
    public var payload: String
    /// `user:<id>`, `api_key:<id>` or `system`.
    public var requestedBy: String
    public var requestedAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNote: String?
    public var executedAt: Date?
    /// JSON text: the deal before (as requested; as executed once executed).
    public var before: String?
    /// JSON text: the deal after (a preview until executed).
    public var after: String?
    public var version: Int
}

/// A new change request.
public struct NewChangeRequest: Sendable {
    public var groupID: UUID
    public var id: UUID
    public var dealID: UUID
    public var kind: ChangeRequestKind
    public var reason: String
    public var payload: any Encodable & Sendable
    public var requestedBy: String
    public var before: any Encodable & Sendable
    public var after: any Encodable & Sendable

    public init(groupID: UUID, id: UUID, dealID: UUID, kind: ChangeRequestKind, reason: String, payload: any Encodable & Sendable,
                requestedBy: String, before: any Encodable & Sendable, after: any Encodable & Sendable) {
        self.groupID = groupID
        self.id = id
        self.dealID = dealID
        self.kind = kind
        self.reason = reason
        self.payload = payload
        self.requestedBy = requestedBy
        self.before = before
        self.after = after
    }
}

/// What a list of change requests is filtered by.
public struct ChangeRequestQuery: Sendable, Hashable {
    public var statuses: [ChangeRequestStatus]
    public var kinds: [ChangeRequestKind]
    public var projectID: UUID?
    public var dealID: UUID?

    public init(statuses: [ChangeRequestStatus] = [], kinds: [ChangeRequestKind] = [], projectID: UUID? = nil, dealID: UUID? = nil) {
        self.statuses = statuses
        self.kinds = kinds
        self.projectID = projectID
        self.dealID = dealID
    }
}

/// Why a change-request write is refused by the database's own rules.
public enum ChangeRequestDataError: Error, Sendable, Hashable {
    /// The deal already has an open (pending or approved) request of this kind (the partial unique
    /// index change_requests_open_kind).
    case openRequestExists(kind: ChangeRequestKind)
}

/// Change requests: requested, decided (approved or rejected), executed.
public struct ChangeRequestRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        c.group_id, c.id, c.deal_id, d.project_id, o.path, c.kind, c.status, c.reason, c.payload, c.requested_by, c.requested_at,
        c.decided_by, c.decided_at, c.decision_note, c.executed_at, c.before, c.after, c.version
        """
    static let from: SQL = """
        change_requests c JOIN deals d ON d.group_id = c.group_id AND d.id = c.deal_id
        JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
        """

    static func decode(_ row: PQRow) throws -> StoredChangeRequest {
        let kindText: String = try row.decode("kind"), statusText: String = try row.decode("status")
        guard let kind = ChangeRequestKind(rawValue: kindText), let status = ChangeRequestStatus(rawValue: statusText) else {
            throw DataError.internalFailure("change request of unknown kind \(kindText) or status \(statusText)")
        }
        return StoredChangeRequest(groupID: try row.decode("group_id"), id: try row.decode("id"), dealID: try row.decode("deal_id"),
                                   projectID: try row.decode("project_id"), projectPath: try row.decode("path"), kind: kind, status: status,
                                   reason: try row.decode("reason"), payload: try row.decode("payload", as: PQJSON.self).text,
                                   requestedBy: try row.decode("requested_by"), requestedAt: try row.decode("requested_at"),
                                   decidedBy: try row.decode("decided_by"), decidedAt: try row.decode("decided_at"),
                                   decisionNote: try row.decode("decision_note"), executedAt: try row.decode("executed_at"),
                                   before: try row.decode("before", as: PQJSON?.self)?.text, after: try row.decode("after", as: PQJSON?.self)?.text,
                                   version: try row.decode("version"))
    }

    /// Stores a pending request. A second open request of its kind for the deal is
    /// ``ChangeRequestDataError/openRequestExists(kind:)``.
    public func insert(_ request: NewChangeRequest) async throws {
        let payload = try DealRepository.snapshot(request.payload), before = try DealRepository.snapshot(request.before),
            after = try DealRepository.snapshot(request.after)
        do {
            try await transaction.execute("""
                INSERT INTO change_requests (group_id, id, deal_id, kind, reason, payload, requested_by, before, after)
                VALUES (\(request.groupID), \(request.id), \(request.dealID), \(request.kind.rawValue), \(request.reason),
                        \(payload ?? PQJSON(text: "{}")), \(request.requestedBy), \(before), \(after))
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "change_requests_open_kind" {
            throw ChangeRequestDataError.openRequestExists(kind: request.kind)
        }
    }

    /// The request, locked until the transaction ends when `lock` is set.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredChangeRequest? {
        let locking: SQL = lock ? "FOR UPDATE OF c" : ""
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE c.group_id = \(groupID) AND c.id = \(id) \(locking)")
            .firstRow.map(Self.decode)
    }

    /// Requests of deals under `roots` matching `query`, oldest first (keyset on the time-ordered id).
    public func search(groupID: UUID, under roots: [UUID], _ query: ChangeRequestQuery, after cursor: UUID?, limit: Int) async throws -> [StoredChangeRequest] {
        var condition: SQL = "c.group_id = \(groupID) AND o.path && \(roots)"
        if !query.statuses.isEmpty { condition = "\(condition) AND c.status = ANY(\(query.statuses.map(\.rawValue))::text[])" }
        if !query.kinds.isEmpty { condition = "\(condition) AND c.kind = ANY(\(query.kinds.map(\.rawValue))::text[])" }
        if let projectID = query.projectID { condition = "\(condition) AND d.project_id = \(projectID)" }
        if let dealID = query.dealID { condition = "\(condition) AND c.deal_id = \(dealID)" }
        if let cursor { condition = "\(condition) AND c.id > \(cursor)" }
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE \(condition) ORDER BY c.id LIMIT \(limit)")
            .map(Self.decode)
    }

    /// Records the decision on a request that is still `from` (approved or rejected by `actor`, with
    /// the note); false when it is no longer.
    public func decide(_ request: StoredChangeRequest, from: ChangeRequestStatus, to: ChangeRequestStatus, by actor: String,
                       note: String?) async throws -> Bool {
        try await transaction.execute("""
            UPDATE change_requests SET status = \(to.rawValue), decided_by = \(actor), decided_at = now(), decision_note = \(note),
                   version = version + 1
            WHERE group_id = \(request.groupID) AND id = \(request.id) AND status = \(from.rawValue)
            """) == 1
    }

    /// Marks an approved request executed, with the deal as it was before and became after.
    public func executed(_ request: StoredChangeRequest, before: any Encodable, after: any Encodable) async throws -> Bool {
        try await transaction.execute("""
            UPDATE change_requests SET status = 'executed', executed_at = now(), before = \(try DealRepository.snapshot(before)),
                   after = \(try DealRepository.snapshot(after)), version = version + 1
            WHERE group_id = \(request.groupID) AND id = \(request.id) AND status = 'approved'
            """) == 1
    }
}

extension UnitOfWork {
    public var changeRequests: ChangeRequestRepository { ChangeRequestRepository(transaction: transaction) }
}

// MARK: Deals changed by a special transaction

extension DealRepository {
    /// Moves the deal to another room. The room's live deal (the partial unique index
    /// deals_one_live_per_room) makes it ``DealDataError/roomTaken(roomID:)``.
    public func moveDeal(groupID: UUID, id: UUID, toRoom roomID: UUID) async throws {
        do {
            try await transaction.execute("UPDATE deals SET room_id = \(roomID) WHERE group_id = \(groupID) AND id = \(id)")
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "deals_one_live_per_room" {
            throw DealDataError.roomTaken(roomID: roomID)
        }
    }

    /// Closes the receivables of an ended deal: a current line that keeps collected money (a forfeited
    /// earnest, a loan to return to its lender) is cut to what it collected, a current line with nothing
    /// collected is superseded. Nothing is then open.
    public func closeReceivables(groupID: UUID, dealID: UUID) async throws {
        try await transaction.execute("""
            UPDATE receivables SET amount = paid
            WHERE group_id = \(groupID) AND deal_id = \(dealID) AND superseded_at IS NULL AND paid > 0 AND paid < amount
            """)
        try await transaction.execute("""
            UPDATE receivables SET superseded_at = now()
            WHERE group_id = \(groupID) AND deal_id = \(dealID) AND superseded_at IS NULL AND paid = 0
            """)
    }
}
