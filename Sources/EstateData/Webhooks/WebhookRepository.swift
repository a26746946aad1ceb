import EstateLogic
import Foundation
import PQ

/// A webhook as stored (without its secret, which only the relay reads).
public struct StoredWebhook: Sendable, Hashable {
    public var groupID: UUID
    public var webhook: Webhook
    /// `user:<id>` or `api_key:<id>`.
    public var createdBy: String
    /// Bumped by every change; the ETag.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(groupID: UUID, webhook: Webhook, createdBy: String, version: Int = 1, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.groupID = groupID
        self.webhook = webhook
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var id: UUID { webhook.id }
}

/// One delivery of an event to a webhook, as listed.
public struct StoredDelivery: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var webhookID: UUID
    public var eventID: UUID
    public var eventType: EventType
    public var objectType: String
    public var objectID: UUID
    public var sequence: Int64
    public var status: WebhookDeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
}

/// Webhooks of a group and their deliveries.
public struct WebhookRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        w.group_id, w.id, w.url, w.event_types, w.format, w.description, w.active, w.created_by, w.version, w.created_at, w.updated_at
        """

    static func decode(_ row: PQRow) throws -> StoredWebhook {
        let formatText: String = try row.decode("format")
        guard let format = WebhookFormat(rawValue: formatText) else { throw DataError.internalFailure("webhook with format \(formatText)") }
        let webhook = Webhook(id: try row.decode("id"), url: try row.decode("url"),
                              eventTypes: try row.decode("event_types", as: [String].self).map(EventType.init(rawValue:)),
                              format: format, description: try row.decode("description"), active: try row.decode("active"))
        return StoredWebhook(groupID: try row.decode("group_id"), webhook: webhook, createdBy: try row.decode("created_by"),
                             version: Int(try row.decode("version", as: Int32.self)), createdAt: try row.decode("created_at"),
                             updatedAt: try row.decode("updated_at"))
    }

    /// Stores a new webhook with its signing secret.
    public func insert(_ stored: StoredWebhook, secret: String) async throws {
        let w = stored.webhook
        try await transaction.execute("""
            INSERT INTO webhooks (group_id, id, url, event_types, format, description, secret, active, created_by, created_at, updated_at)
            VALUES (\(stored.groupID), \(w.id), \(w.url), \(w.eventTypes.map(\.rawValue))::text[], \(w.format.rawValue), \(w.description),
                    \(secret), \(w.active), \(stored.createdBy), \(stored.createdAt), \(stored.createdAt))
            """)
    }

    /// A webhook of the group, locked for a change when asked.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredWebhook? {
        let locking: SQL = lock ? "FOR UPDATE" : ""
        return try await transaction.query("SELECT \(Self.columns) FROM webhooks w WHERE w.group_id = \(groupID) AND w.id = \(id) \(locking)")
            .firstRow.map(Self.decode)
    }

    /// The group's webhooks in id order after `cursor`.
    public func list(groupID: UUID, after cursor: UUID?, limit: Int) async throws -> [StoredWebhook] {
        let after: SQL = cursor.map { "AND w.id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM webhooks w WHERE w.group_id = \(groupID) \(after) ORDER BY w.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// Stores a changed webhook read (and locked) at `stored.version`; returns it with its new version.
    public func update(_ stored: StoredWebhook) async throws -> StoredWebhook {
        let w = stored.webhook
        guard let row = try await transaction.query("""
            UPDATE webhooks w SET url = \(w.url), event_types = \(w.eventTypes.map(\.rawValue))::text[], format = \(w.format.rawValue),
                   description = \(w.description), active = \(w.active), version = w.version + 1, updated_at = now()
            WHERE w.group_id = \(stored.groupID) AND w.id = \(w.id) AND w.version = \(stored.version)
            RETURNING \(Self.columns)
            """).firstRow else { throw VersionConflict(object: "webhook", current: stored.version) }
        return try Self.decode(row)
    }

    /// Deletes a webhook and its deliveries (the events stay); true when it existed.
    public func delete(groupID: UUID, id: UUID) async throws -> Bool {
        try await transaction.execute("DELETE FROM webhooks WHERE group_id = \(groupID) AND id = \(id)") == 1
    }

    // MARK: Deliveries

    static let deliveryColumns: SQL = """
        d.group_id, d.id, d.webhook_id, d.event_id, e.type, d.object_type, d.object_id, d.object_sequence, d.status, d.attempts,
        d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at
        """
    static let deliveryFrom: SQL = "webhook_deliveries d JOIN events e ON e.group_id = d.group_id AND e.id = d.event_id"

    static func decodeDelivery(_ row: PQRow) throws -> StoredDelivery {
        let statusText: String = try row.decode("status")
        guard let status = WebhookDeliveryStatus(rawValue: statusText) else { throw DataError.internalFailure("delivery with status \(statusText)") }
        let pending = status == .pending || status == .delivering
        return StoredDelivery(
            groupID: try row.decode("group_id"), id: try row.decode("id"), webhookID: try row.decode("webhook_id"),
            eventID: try row.decode("event_id"), eventType: EventType(rawValue: try row.decode("type")),
            objectType: try row.decode("object_type"), objectID: try row.decode("object_id"), sequence: try row.decode("object_sequence"),
            status: status, attempts: Int(try row.decode("attempts", as: Int32.self)),
            nextAttemptAt: pending ? try row.decode("next_attempt_at") : nil, lastAttemptAt: try row.decode("last_attempt_at"),
            lastStatus: try row.decode("last_status", as: Int32?.self).map(Int.init), lastError: try row.decode("last_error"),
            deliveredAt: try row.decode("delivered_at"), createdAt: try row.decode("created_at"))
    }

    /// A webhook's deliveries in id order (oldest first) after `cursor`, of `statuses` only when given.
    public func deliveries(groupID: UUID, webhookID: UUID, statuses: [WebhookDeliveryStatus]?, after cursor: UUID?,
                           limit: Int) async throws -> [StoredDelivery] {
        let after: SQL = cursor.map { "AND d.id > \($0)" } ?? ""
        let filter: SQL = statuses.map { "AND d.status = ANY(\($0.map(\.rawValue))::text[])" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.deliveryColumns) FROM \(Self.deliveryFrom)
            WHERE d.group_id = \(groupID) AND d.webhook_id = \(webhookID) \(after) \(filter) ORDER BY d.id LIMIT \(limit)
            """).map(Self.decodeDelivery)
    }

    /// One delivery of a webhook, locked for a change when asked.
    public func delivery(groupID: UUID, webhookID: UUID, id: UUID, lock: Bool = false) async throws -> StoredDelivery? {
        let locking: SQL = lock ? "FOR UPDATE OF d" : ""
        return try await transaction.query("""
            SELECT \(Self.deliveryColumns) FROM \(Self.deliveryFrom)
            WHERE d.group_id = \(groupID) AND d.webhook_id = \(webhookID) AND d.id = \(id) \(locking)
            """).firstRow.map(Self.decodeDelivery)
    }

    /// Queues a dead or delivered delivery again, due now with a fresh count of attempts (the
    /// same event, so the partner receives the same event id). Nil when it is not replayable.
    public func replay(groupID: UUID, id: UUID) async throws -> StoredDelivery? {
        guard try await transaction.execute("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL,
                   claim_token = NULL, updated_at = now()
            WHERE group_id = \(groupID) AND id = \(id) AND status IN ('dead', 'delivered')
            """) == 1 else { return nil }
        return try await transaction.query("""
            SELECT \(Self.deliveryColumns) FROM \(Self.deliveryFrom) WHERE d.group_id = \(groupID) AND d.id = \(id)
            """).firstRow.map(Self.decodeDelivery)
    }
}

extension UnitOfWork {
    public var webhooks: WebhookRepository { WebhookRepository(transaction: transaction) }
}

/// Signing secrets of webhooks: `whsec_` and 64 hex digits (32 random bytes).
public enum WebhookSecret {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        var text = "whsec_"
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
