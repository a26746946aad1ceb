import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// `PUT /v1/customers/{id}/shares/{userId}`.
struct ShareInput: Decodable {
    let access: ShareAccess

    enum CodingKeys: String, CodingKey, CaseIterable {
        case access
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        access = try decoder.container(keyedBy: CodingKeys.self).decode(ShareAccess.self, forKey: .access)
    }
}

struct CustomerShareBody: ResponseEncodable, Sendable {
    let customerId: UUID
    let userId: UUID
    let username: String
    let displayName: String
    /// `read` (read-only) or `write` (collaborator).
    let access: ShareAccess
    /// The user (or API key) who granted or last changed it.
    let grantedBy: UUID
    let grantedAt: Date

    init(_ share: CustomerShare) {
        customerId = share.customerID
        userId = share.userID
        username = share.username
        displayName = share.displayName
        access = share.access
        grantedBy = share.grantedBy
        grantedAt = share.grantedAt
    }
}

/// `POST /v1/customers/reassign`.
struct ReassignInput: Decodable {
    let customerIds: [UUID]
    let ownerId: UUID
    let projectId: UUID?
    let reason: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case customerIds, ownerId, projectId, reason
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        customerIds = try c.decode([UUID].self, forKey: .customerIds)
        ownerId = try c.decode(UUID.self, forKey: .ownerId)
        projectId = try c.decodeIfPresent(UUID.self, forKey: .projectId)
        reason = try c.decode(String.self, forKey: .reason)
    }
}

/// One customer moved by a reassignment.
struct ReassignedCustomerBody: Encodable, Sendable {
    let customerId: UUID
    let fromOwnerId: UUID?
    let fromProjectId: UUID
    let toOwnerId: UUID
    let toProjectId: UUID
    /// The end of the new owner's protection period.
    let protectedUntil: Date
}

struct ReassignmentBody: ResponseEncodable, Sendable {
    /// The customers given to the new owner (each with an ownership-history row).
    let reassigned: [ReassignedCustomerBody]
    /// Customers of the request that were already the owner's in that project (nothing recorded).
    let unchanged: [UUID]
}

/// A row of a customer's ownership history.
struct OwnershipChangeBody: Encodable, Sendable {
    let id: UUID
    let customerId: UUID
    /// `created`, `reassigned`, `pooled`, `claimed` or `merged`.
    let event: String
    let fromOwnerId: UUID?
    let toOwnerId: UUID?
    let fromProjectId: UUID?
    let toProjectId: UUID
    /// `user:<id>`, `api_key:<id>` or `system`.
    let actor: String
    let reason: String?
    let at: Date

    init(_ record: OwnershipRecord) {
        id = record.id
        customerId = record.customerID
        event = record.event.rawValue
        fromOwnerId = record.from.ownerID
        toOwnerId = record.to.ownerID
        fromProjectId = record.from.projectID
        toProjectId = record.to.projectID
        actor = record.actor
        reason = record.reason
        at = record.at
    }
}

/// `PUT /v1/customer-protection-periods/{source}`.
struct ProtectionPeriodInput: Decodable {
    let days: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case days
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        days = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .days)
    }
}

struct ProtectionPeriodBody: ResponseEncodable, Sendable {
    /// A `customer_sources` code, or `*` for the group's default.
    let source: String
    let days: Int
    let updatedAt: Date

    init(_ setting: ProtectionPeriodSetting) {
        source = setting.source
        days = setting.days
        updatedAt = setting.updatedAt
    }
}

struct ProtectionPeriodsBody: ResponseEncodable, Sendable {
    let items: [ProtectionPeriodBody]
    /// The days of a source without a period of its own: the `*` period, else 30.
    let defaultDays: Int
}
