import Foundation

/// An event as partners receive it, in a webhook delivery's body and in the event feed:
///
/// ```json
/// {"data": {...}, "groupId": "…", "id": "…", "object": {"id": "…", "sequence": 3, "type": "room"},
///  "occurredAt": "2026-03-01T08:00:00.123Z", "type": "room.status_changed"}
/// ```
///
/// `id` is unique and stays the same on every delivery of the event (a repeated delivery is
/// recognised by it); `object.sequence` counts the object's events from 1 without gaps, in the
/// order they happened. `Data` is the payload (an ``EventPayload``, or its stored JSON).
public struct EventEnvelope<Data: Encodable & Sendable>: Encodable, Sendable {
    public struct Object: Encodable, Sendable, Hashable {
        public var type: String
        public var id: UUID
        public var sequence: Int64
    }

    public var id: UUID
    public var type: EventType
    public var groupId: UUID
    public var occurredAt: Date
    public var object: Object
    public var data: Data

    public init(id: UUID, type: EventType, groupID: UUID, occurredAt: Date, objectType: String, objectID: UUID,
                sequence: Int64, data: Data) {
        self.id = id
        self.type = type
        self.groupId = groupID
        self.occurredAt = occurredAt
        self.object = Object(type: objectType, id: objectID, sequence: sequence)
        self.data = data
    }

    /// The envelope as JSON bytes: keys sorted, UUIDs as the rest of the API writes them (upper-case
    /// hex), dates RFC 3339 with milliseconds in UTC. The same event always gives the same bytes.
    public func jsonBytes() throws -> Foundation.Data {
        try Self.encoder.encode(self)
    }

    /// The encoder of envelopes and payloads: sorted keys, RFC 3339 dates with milliseconds.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(EventTime.text(date))
        }
        return encoder
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(groupId, forKey: .groupId)
        try container.encode(EventTime.text(occurredAt), forKey: .occurredAt)
        var object = container.nestedContainer(keyedBy: ObjectKeys.self, forKey: .object)
        try object.encode(self.object.type, forKey: .type)
        try object.encode(self.object.id, forKey: .id)
        try object.encode(self.object.sequence, forKey: .sequence)
        try container.encode(data, forKey: .data)
    }

    enum CodingKeys: String, CodingKey { case id, type, groupId, occurredAt, object, data }
    enum ObjectKeys: String, CodingKey { case type, id, sequence }
}

/// Event times as RFC 3339 UTC date-times with milliseconds (`2026-03-01T08:00:00.123Z`).
public enum EventTime {
    public static func text(_ date: Date) -> String {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        return date.formatted(style)
    }
}
