import Foundation

/// The kind of a business event that partners can subscribe to, named `object.what_happened`
/// (e.g. `room.status_changed`). Only types of ``EventCatalogue`` are emitted or accepted in a
/// subscription. Encodes as a plain JSON string.
public struct EventType: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A room's sales-control status changed (released, withdrawn, held, hold ended or expired, or a deal step).
    public static let roomStatusChanged = EventType(rawValue: "room.status_changed")
    /// A customer was registered.
    public static let customerCreated = EventType(rawValue: "customer.created")
    /// A customer got another owner or project: reassigned by a manager, claimed from the pool, or moved to the pool.
    public static let customerReassigned = EventType(rawValue: "customer.reassigned")
    /// A deal reached subscription (认购): price and payment method agreed.
    public static let dealSubscribed = EventType(rawValue: "deal.subscribed")
    /// A deal's purchase contract was signed.
    public static let dealContracted = EventType(rawValue: "deal.contracted")
    /// Money for a deal was collected.
    public static let paymentReceived = EventType(rawValue: "payment.received")
    /// A receipt of a deal was voided.
    public static let receiptVoided = EventType(rawValue: "receipt.voided")

    /// The kind of object whose story the event belongs to (its `object.type`), from the catalogue.
    public var objectType: EventObjectType? { EventCatalogue.info(self)?.objectType }

    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// The objects events are about. Each event belongs to one object, and an object's events are
/// numbered 1, 2, 3, ... in the order they happened (`object.sequence`). Money events belong to
/// their deal, so that a deal's whole story is in one order.
public enum EventObjectType: String, Sendable, Hashable, Codable, CaseIterable {
    case room
    case customer
    case deal
}

/// What the catalogue says about one event type.
public struct EventTypeInfo: Sendable, Hashable {
    public let type: EventType
    public let objectType: EventObjectType
    public let summary: String

    public init(_ type: EventType, _ objectType: EventObjectType, _ summary: String) {
        self.type = type
        self.objectType = objectType
        self.summary = summary
    }
}

/// The one list of event types: what is emitted, what webhooks may subscribe to, and the object
/// each belongs to. The payload of each is a type conforming to ``EventPayload`` (see
/// `EventPayloads.swift`); `openapi/openapi.yaml` documents the same shapes.
public enum EventCatalogue {
    public static let all: [EventTypeInfo] = [
        EventTypeInfo(.roomStatusChanged, .room, "A room's sales-control status changed"),
        EventTypeInfo(.customerCreated, .customer, "A customer was registered"),
        EventTypeInfo(.customerReassigned, .customer, "A customer got another owner or project (reassigned, claimed or pooled)"),
        EventTypeInfo(.dealSubscribed, .deal, "A deal reached subscription"),
        EventTypeInfo(.dealContracted, .deal, "A deal's purchase contract was signed"),
        EventTypeInfo(.paymentReceived, .deal, "Money for a deal was collected"),
        EventTypeInfo(.receiptVoided, .deal, "A receipt of a deal was voided"),
    ]

    private static let byType: [EventType: EventTypeInfo] = Dictionary(all.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })

    public static func info(_ type: EventType) -> EventTypeInfo? { byType[type] }
    public static func isKnown(_ type: EventType) -> Bool { byType[type] != nil }
    public static var types: [EventType] { all.map(\.type) }
}
