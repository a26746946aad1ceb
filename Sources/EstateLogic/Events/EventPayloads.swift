import Foundation

/// The `data` of one kind of event: its type in the catalogue and the object it is about.
/// Emit one with `work.events.append(payload, groupID:)` in the unit of work of the change.
///
/// Payloads carry ids, states and amounts, never personal data (names, phones, ID numbers):
/// a partner reads those through the API with its own permissions. Dates encode as RFC 3339
/// date-times, money as decimal strings (`"1234.50"`), local dates as `YYYY-MM-DD`.
public protocol EventPayload: Encodable, Sendable {
    static var type: EventType { get }
    /// The id of the object (of `type.objectType`) the event belongs to.
    var objectID: UUID { get }
}

/// `room.status_changed`: every sales-control transition of a room.
public struct RoomStatusChanged: EventPayload, Hashable {
    public static let type = EventType.roomStatusChanged
    public var roomId: UUID
    public var projectId: UUID
    public var buildingId: UUID
    public var number: String
    public var from: RoomStatus
    public var to: RoomStatus
    /// The sales-control event (`release`, `hold`, `hold_expired`, `subscribe`, ...).
    public var event: SalesControlEvent
    public var reason: String?
    public var holdUntil: Date?
    public var dealId: UUID?
    public var objectID: UUID { roomId }

    public init(roomId: UUID, projectId: UUID, buildingId: UUID, number: String, from: RoomStatus, to: RoomStatus,
                event: SalesControlEvent, reason: String?, holdUntil: Date?, dealId: UUID?) {
        self.roomId = roomId
        self.projectId = projectId
        self.buildingId = buildingId
        self.number = number
        self.from = from
        self.to = to
        self.event = event
        self.reason = reason
        self.holdUntil = holdUntil
        self.dealId = dealId
    }
}

/// `customer.created`.
public struct CustomerCreated: EventPayload, Hashable {
    public static let type = EventType.customerCreated
    public var customerId: UUID
    public var projectId: UUID
    public var ownerId: UUID?
    /// `user:<id>` or `api_key:<id>`.
    public var createdBy: String
    public var objectID: UUID { customerId }

    public init(customerId: UUID, projectId: UUID, ownerId: UUID?, createdBy: String) {
        self.customerId = customerId
        self.projectId = projectId
        self.ownerId = ownerId
        self.createdBy = createdBy
    }
}

/// `customer.reassigned`: the customer's owner or project changed.
public struct CustomerReassigned: EventPayload, Hashable {
    public static let type = EventType.customerReassigned

    /// How: a manager's reassignment, a consultant's claim from the pool, or the protection
    /// period's lapse into the pool (then `to.ownerId` is null).
    public enum Via: String, Sendable, Hashable, Codable, CaseIterable {
        case reassigned, claimed, pooled
    }

    public struct Placement: Sendable, Hashable, Codable {
        public var ownerId: UUID?
        public var projectId: UUID?

        public init(ownerId: UUID?, projectId: UUID?) {
            self.ownerId = ownerId
            self.projectId = projectId
        }

        // Absent owners are written as null, not left out: "no owner" is the news of a pooling.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ownerId, forKey: .ownerId)
            try container.encode(projectId, forKey: .projectId)
        }
    }

    public var customerId: UUID
    public var via: Via
    public var from: Placement
    public var to: Placement
    public var reason: String?
    /// `user:<id>`, `api_key:<id>` or `system`.
    public var actor: String
    public var objectID: UUID { customerId }

    public init(customerId: UUID, via: Via, from: Placement, to: Placement, reason: String?, actor: String) {
        self.customerId = customerId
        self.via = via
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
    }
}

/// `deal.subscribed`: emitted by the deal workflow when a deal reaches subscription.
public struct DealSubscribed: EventPayload, Hashable {
    public static let type = EventType.dealSubscribed
    public var dealId: UUID
    public var projectId: UUID
    public var roomId: UUID
    public var customerIds: [UUID]
    public var finalPrice: Money
    public var paymentMethod: String
    public var subscribedOn: LocalDate
    public var objectID: UUID { dealId }

    public init(dealId: UUID, projectId: UUID, roomId: UUID, customerIds: [UUID], finalPrice: Money, paymentMethod: String,
                subscribedOn: LocalDate) {
        self.dealId = dealId
        self.projectId = projectId
        self.roomId = roomId
        self.customerIds = customerIds
        self.finalPrice = finalPrice
        self.paymentMethod = paymentMethod
        self.subscribedOn = subscribedOn
    }
}

/// `deal.contracted`: emitted when a deal's purchase contract is signed.
public struct DealContracted: EventPayload, Hashable {
    public static let type = EventType.dealContracted
    public var dealId: UUID
    public var projectId: UUID
    public var roomId: UUID
    public var contractNumber: String
    public var contractSignedOn: LocalDate
    public var finalPrice: Money
    public var objectID: UUID { dealId }

    public init(dealId: UUID, projectId: UUID, roomId: UUID, contractNumber: String, contractSignedOn: LocalDate, finalPrice: Money) {
        self.dealId = dealId
        self.projectId = projectId
        self.roomId = roomId
        self.contractNumber = contractNumber
        self.contractSignedOn = contractSignedOn
        self.finalPrice = finalPrice
    }
}

/// `payment.received`: a collection recorded for a deal (an event of the deal).
public struct PaymentReceived: EventPayload, Hashable {
    public static let type = EventType.paymentReceived
    public var dealId: UUID
    public var collectionId: UUID
    /// In the group's currency (CNY).
    public var amount: Money
    /// How it was paid (the collection's method: cash, transfer, card, ...).
    public var method: String
    /// The day the money arrived (the group's calendar).
    public var receivedOn: LocalDate
    /// When the collection was recorded.
    public var recordedAt: Date
    public var receiptNumber: String?
    public var objectID: UUID { dealId }

    public init(dealId: UUID, collectionId: UUID, amount: Money, method: String, receivedOn: LocalDate, recordedAt: Date,
                receiptNumber: String?) {
        self.dealId = dealId
        self.collectionId = collectionId
        self.amount = amount
        self.method = method
        self.receivedOn = receivedOn
        self.recordedAt = recordedAt
        self.receiptNumber = receiptNumber
    }
}

/// `receipt.voided`: a receipt of a deal was voided (an event of the deal).
public struct ReceiptVoided: EventPayload, Hashable {
    public static let type = EventType.receiptVoided
    public var dealId: UUID
    public var receiptId: UUID
    public var receiptNumber: String
    public var amount: Money
    public var reason: String
    public var objectID: UUID { dealId }

    public init(dealId: UUID, receiptId: UUID, receiptNumber: String, amount: Money, reason: String) {
        self.dealId = dealId
        self.receiptId = receiptId
        self.receiptNumber = receiptNumber
        self.amount = amount
        self.reason = reason
    }
}
