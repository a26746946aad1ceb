import EstateLogic
import Foundation
import PQ

/// An event as stored: the envelope's fields, the payload's JSON text and its place in the feed.
public struct StoredEvent: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var type: EventType
    public var objectType: String
    public var objectID: UUID
    /// 1, 2, 3, ... per object, in the order the changes committed.
    public var sequence: Int64
    /// The payload's JSON text (an object).
    public var payload: String
    public var occurredAt: Date
    public var cursor: EventCursor
}

/// A place in a group's event feed: after the event written by transaction `xact` at `position`.
/// As text (the API's opaque cursor): `<xact>.<position>`, two decimal numbers.
public struct EventCursor: Sendable, Hashable, CustomStringConvertible {
    public var xact: Int64
    public var position: Int64

    public init(xact: Int64, position: Int64) {
        self.xact = xact
        self.position = position
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 18 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let xact = Int64(parts[0]), let position = Int64(parts[1]) else { return nil }
        self.init(xact: xact, position: position)
    }

    public var description: String { "\(xact).\(position)" }
}

/// The transactional outbox: events are written in the unit of work of the change they report,
/// together with one pending delivery per active webhook of the group subscribed to their type,
/// so that an event (and its deliveries) exists exactly when its change committed.
///
/// Each event gets the next number of its object's sequence (a counter row locked until the
/// transaction ends: an object's events are numbered without gaps in commit order).
public struct EventOutbox: Sendable {
    let transaction: PQTransaction

    /// Appends one event about `payload.objectID` (of the catalogue's object type for its type).
    /// Call it inside the unit of work of the change, e.g.
    /// `try await work.events.append(DealSubscribed(...), groupID: deal.groupID)`.
    @discardableResult
    public func append<Payload: EventPayload>(_ payload: Payload, groupID: UUID) async throws -> StoredEvent {
        try await append([(groupID, payload)])[0]
    }

    /// Appends events of one type for many objects at once (a bulk reassignment, a sweep), in order.
    @discardableResult
    public func append<Payload: EventPayload>(_ events: [(groupID: UUID, payload: Payload)]) async throws -> [StoredEvent] {
        try await append(events.map { (groupID: $0.groupID, type: Payload.type, objectID: $0.payload.objectID, payload: $0.payload) })
    }

    /// The general form: events of any catalogue types with any Encodable payloads (JSON objects).
    @discardableResult
    public func append(_ events: [(groupID: UUID, type: EventType, objectID: UUID, payload: any Encodable)]) async throws -> [StoredEvent] {
        guard !events.isEmpty else { return [] }
        let encoder = EventEnvelope<String>.encoder
        var objectTypes: [String] = []
        var payloads: [String] = []
        for event in events {
            guard let objectType = event.type.objectType else {
                throw DataError.internalFailure("event type \(event.type) is not in the catalogue")
            }
            objectTypes.append(objectType.rawValue)
            payloads.append(String(decoding: try encoder.encode(event.payload), as: UTF8.self))
        }
        let ids = events.map { _ in UUIDv7.make() }
        // The subscribed webhooks, locked against deletion (not against changes) until this
        // transaction ends, so that every delivery row below has its webhook.
        let groups = Array(Set(events.map(\.groupID)))
        let types = Array(Set(events.map(\.type.rawValue)))
        let webhooks = try await transaction.query("""
            SELECT group_id, id, event_types FROM webhooks
            WHERE group_id = ANY(\(groups)::uuid[]) AND active AND event_types && \(types)::text[]
            ORDER BY group_id, id FOR KEY SHARE
            """).map { row in
                (groupID: try row.decode("group_id", as: UUID.self), id: try row.decode("id", as: UUID.self),
                 types: Set(try row.decode("event_types", as: [String].self)))
            }
        var deliveries: (groups: [UUID], ids: [UUID], webhooks: [UUID], events: [UUID]) = ([], [], [], [])
        for (index, event) in events.enumerated() {
            for webhook in webhooks where webhook.groupID == event.groupID && webhook.types.contains(event.type.rawValue) {
                deliveries.groups.append(event.groupID)
                deliveries.ids.append(UUIDv7.make())
                deliveries.webhooks.append(webhook.id)
                deliveries.events.append(ids[index])
            }
        }
        let rows = try await transaction.query("""
            WITH input AS (
                SELECT * FROM unnest(\(events.map(\.groupID))::uuid[], \(ids)::uuid[], \(events.map(\.type.rawValue))::text[],
                                     \(objectTypes)::text[], \(events.map(\.objectID))::uuid[], \(payloads)::text[])
                    WITH ORDINALITY AS t(group_id, id, type, object_type, object_id, payload, n)
            ), counted AS (
                INSERT INTO event_objects AS o (group_id, object_type, object_id, last_sequence)
                SELECT group_id, object_type, object_id, count(*) FROM input GROUP BY group_id, object_type, object_id
                ON CONFLICT (group_id, object_type, object_id) DO UPDATE SET last_sequence = o.last_sequence + EXCLUDED.last_sequence
                RETURNING group_id, object_type, object_id, last_sequence
            ), numbered AS (
                SELECT i.group_id, i.id, i.type, i.object_type, i.object_id, i.payload, i.n,
                       c.last_sequence - count(*) OVER w + row_number() OVER (w ORDER BY i.n) AS object_sequence
                FROM input i JOIN counted c ON c.group_id = i.group_id AND c.object_type = i.object_type AND c.object_id = i.object_id
                WINDOW w AS (PARTITION BY i.group_id, i.object_type, i.object_id)
            ), inserted AS (
                INSERT INTO events (group_id, id, type, object_type, object_id, object_sequence, payload)
                SELECT group_id, id, type, object_type, object_id, object_sequence, payload::jsonb FROM numbered ORDER BY n
                RETURNING group_id, id, type, object_type, object_id, object_sequence, payload, occurred_at, xact, position
            ), fanned AS (
                INSERT INTO webhook_deliveries (group_id, id, webhook_id, event_id, object_type, object_id, object_sequence)
                SELECT d.group_id, d.id, d.webhook_id, d.event_id, e.object_type, e.object_id, e.object_sequence
                FROM unnest(\(deliveries.groups)::uuid[], \(deliveries.ids)::uuid[], \(deliveries.webhooks)::uuid[],
                            \(deliveries.events)::uuid[]) AS d(group_id, id, webhook_id, event_id)
                JOIN inserted e ON e.group_id = d.group_id AND e.id = d.event_id
            )
            SELECT * FROM inserted ORDER BY position
            """).map(Self.decode)
        guard rows.count == events.count else { throw DataError.internalFailure("events not stored") }
        return rows
    }

    static let columns: SQL = "group_id, id, type, object_type, object_id, object_sequence, payload, occurred_at, xact, position"

    static func decode(_ row: PQRow) throws -> StoredEvent {
        StoredEvent(groupID: try row.decode("group_id"), id: try row.decode("id"), type: EventType(rawValue: try row.decode("type")),
                    objectType: try row.decode("object_type"), objectID: try row.decode("object_id"),
                    sequence: try row.decode("object_sequence"), payload: try row.decode("payload", as: PQJSON.self).text,
                    occurredAt: try row.decode("occurred_at"),
                    cursor: EventCursor(xact: try row.decode("xact"), position: try row.decode("position")))
    }

    /// The group's events after `cursor` in feed order, of `types` only when given. Only events of
    /// transactions older than every transaction still running are shown: one that commits later
    /// can never land behind a cursor already given out (it may appear a moment late instead).
    public func feed(groupID: UUID, after cursor: EventCursor?, types: [EventType]?, objectID: UUID? = nil,
                     limit: Int) async throws -> [StoredEvent] {
        let after: SQL = cursor.map { "AND (xact, position) > (\($0.xact), \($0.position))" } ?? ""
        let typed: SQL = types.map { "AND type = ANY(\($0.map(\.rawValue))::text[])" } ?? ""
        let object: SQL = objectID.map { "AND object_id = \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM events
            WHERE group_id = \(groupID) AND xact < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \(after) \(typed) \(object)
            ORDER BY xact, position LIMIT \(limit)
            """).map(Self.decode)
    }

    /// One event of the group.
    public func find(groupID: UUID, id: UUID) async throws -> StoredEvent? {
        try await transaction.query("SELECT \(Self.columns) FROM events WHERE group_id = \(groupID) AND id = \(id)").firstRow.map(Self.decode)
    }
}

extension UnitOfWork {
    /// The outbox: `work.events.append(payload, groupID:)` in the unit of work of the change.
    public var events: EventOutbox { EventOutbox(transaction: transaction) }
}
