import EstateData
import EstateLogic
import Foundation
import Hummingbird

// MARK: - Requests

/// `POST /v1/webhooks`.
struct CreateWebhook: Decodable, NullableFields {
    let url: String
    let eventTypes: [String]
    let format: WebhookFormat?
    let description: String?
    let active: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable { case url, eventTypes, format, description, active }
    static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = []

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        eventTypes = try container.decode([String].self, forKey: .eventTypes)
        format = try container.decodeIfPresent(WebhookFormat.self, forKey: .format)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
    }
}

/// `PATCH /v1/webhooks/{id}`: absent fields stay; `description: null` removes the description.
struct UpdateWebhook: Decodable, NullableFields {
    var url: String?
    var eventTypes: [String]?
    var format: WebhookFormat?
    /// Absent: unchanged; `.some(nil)`: cleared.
    var description: String??
    var active: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable { case url, eventTypes, format, description, active }
    static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = ["description"]

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        eventTypes = try container.decodeIfPresent([String].self, forKey: .eventTypes)
        format = try container.decodeIfPresent(WebhookFormat.self, forKey: .format)
        description = container.contains(.description) ? .some(try container.decodeIfPresent(String.self, forKey: .description)) : .none
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
    }
}

// MARK: - Responses

struct WebhookBody: ResponseEncodable {
    let id: UUID
    let url: String
    let eventTypes: [String]
    let format: WebhookFormat
    let description: String?
    let active: Bool
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date
    let version: Int
    /// The signing secret: only in the answer to the creation.
    let secret: String?

    init(_ stored: StoredWebhook, secret: String? = nil) {
        let w = stored.webhook
        id = w.id
        url = w.url
        eventTypes = w.eventTypes.map(\.rawValue)
        format = w.format
        description = w.description
        active = w.active
        createdBy = stored.createdBy
        createdAt = stored.createdAt
        updatedAt = stored.updatedAt
        version = stored.version
        self.secret = secret
    }
}

struct DeliveryBody: ResponseEncodable {
    let id: UUID
    let webhookId: UUID
    let eventId: UUID
    let eventType: String
    let objectType: String
    let objectId: UUID
    let objectSequence: Int64
    let status: WebhookDeliveryStatus
    let attempts: Int
    let nextAttemptAt: Date?
    let lastAttemptAt: Date?
    let lastStatus: Int?
    let lastError: String?
    let deliveredAt: Date?
    let createdAt: Date

    init(_ d: StoredDelivery) {
        id = d.id
        webhookId = d.webhookID
        eventId = d.eventID
        eventType = d.eventType.rawValue
        objectType = d.objectType
        objectId = d.objectID
        objectSequence = d.sequence
        status = d.status
        attempts = d.attempts
        nextAttemptAt = d.nextAttemptAt
        lastAttemptAt = d.lastAttemptAt
        lastStatus = d.lastStatus
        lastError = d.lastError
        deliveredAt = d.deliveredAt
        createdAt = d.createdAt
    }
}
