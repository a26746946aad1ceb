import Foundation

/// One changed field of an audited object: its value before and after, as text (nil: absent).
public struct AuditChange: Sendable, Hashable, Codable {
    public var field: String
    public var before: String?
    public var after: String?

    public init(field: String, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// The changes between two versions of an object given as field → text; unchanged fields are left out.
    public static func diff(before: [String: String?], after: [String: String?]) -> [AuditChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { field in
            let old = before[field] ?? nil
            let new = after[field] ?? nil
            return old == new ? nil : AuditChange(field: field, before: old, after: new)
        }
    }
}

/// Who made a change.
public enum AuditActor: Sendable, Hashable {
    case user(UUID)
    case apiKey(UUID)
    /// The system itself (a background service, the command line).
    case system

    public var type: String {
        switch self {
        case .user: "user"
        case .apiKey: "api_key"
        case .system: "system"
        }
    }

    public var id: UUID? {
        switch self {
        case .user(let id), .apiKey(let id): id
        case .system: nil
        }
    }

    public init?(type: String, id: UUID?) {
        switch (type, id) {
        case ("user", let id?): self = .user(id)
        case ("api_key", let id?): self = .apiKey(id)
        case ("system", nil): self = .system
        default: return nil
        }
    }
}

/// What a write records: who did what to which object, where, and what changed.
public struct AuditEvent: Sendable, Hashable {
    public var actor: AuditActor
    /// e.g. `org_unit.create`, `org_unit.rename`.
    public var action: String
    public var objectType: String
    public var objectID: UUID
    public var orgUnitID: UUID?
    public var changes: [AuditChange]
    public var requestID: String?

    public init(actor: AuditActor, action: String, objectType: String, objectID: UUID, orgUnitID: UUID?,
                changes: [AuditChange], requestID: String?) {
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.orgUnitID = orgUnitID
        self.changes = changes
        self.requestID = requestID
    }
}

/// An entry of a group's audit trail: an event, its place in the chain, and the chain's hashes.
public struct AuditEntry: Sendable, Hashable {
    public var groupID: UUID
    /// 1, 2, 3, ... per group, without gaps.
    public var sequence: Int64
    public var id: UUID
    /// Microseconds since 1970 (exact, so the hash can be recomputed from what is stored).
    public var occurredAtMicros: Int64
    public var event: AuditEvent
    public var previousHash: String
    public var hash: String

    public init(groupID: UUID, sequence: Int64, id: UUID, occurredAtMicros: Int64, event: AuditEvent,
                previousHash: String, hash: String) {
        self.groupID = groupID
        self.sequence = sequence
        self.id = id
        self.occurredAtMicros = occurredAtMicros
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }

    public var occurredAt: Date { Date(timeIntervalSince1970: Double(occurredAtMicros) / 1_000_000) }
}
