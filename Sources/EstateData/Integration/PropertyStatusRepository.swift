import EstateLogic
import Foundation
import PQ

/// A property-management status update as stored.
public struct StoredPropertyStatusUpdate: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var update: PropertyStatusUpdate
    /// Who sent it (`api_key:<id>` or `user:<id>`).
    public var receivedBy: String
    public var receivedAt: Date

    public init(groupID: UUID, id: UUID, update: PropertyStatusUpdate, receivedBy: String, receivedAt: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.update = update
        self.receivedBy = receivedBy
        self.receivedAt = receivedAt
    }
}

/// Property-management status updates (table property_status_updates, 0021), by the property
/// system's update id; and the deals they name.
public struct PropertyStatusRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = "group_id, id, update_id, room_id, deal_id, status, occurred_at, reported_by, note, received_by, received_at"

    static func decode(_ row: PQRow) throws -> StoredPropertyStatusUpdate {
        let statusText: String = try row.decode("status")
        guard let status = PropertyStatus(rawValue: statusText) else { throw DataError.internalFailure("property status \(statusText) unknown") }
        let update = PropertyStatusUpdate(updateID: try row.decode("update_id"), roomID: try row.decode("room_id"), dealID: try row.decode("deal_id"),
                                          status: status, occurredAt: try row.decode("occurred_at"), reportedBy: try row.decode("reported_by"),
                                          note: try row.decode("note"))
        return StoredPropertyStatusUpdate(groupID: try row.decode("group_id"), id: try row.decode("id"), update: update,
                                          receivedBy: try row.decode("received_by"), receivedAt: try row.decode("received_at"))
    }

    /// The updates stored under the property system's `updateIDs`, by update id.
    public func find(groupID: UUID, updateIDs: [String]) async throws -> [String: StoredPropertyStatusUpdate] {
        let rows = try await transaction.query("""
            SELECT \(Self.columns) FROM property_status_updates WHERE group_id = \(groupID) AND update_id = ANY(\(updateIDs)::text[])
            """).map(Self.decode)
        return Dictionary(rows.map { ($0.update.updateID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Stores an update; false when its update id was stored meanwhile (by a document that arrived
    /// at the same moment), which the caller then compares.
    public func insert(_ stored: StoredPropertyStatusUpdate) async throws -> Bool {
        let update = stored.update
        return try await transaction.execute("""
            INSERT INTO property_status_updates (group_id, id, update_id, room_id, deal_id, status, occurred_at, reported_by, note,
                                                 received_by, received_at)
            VALUES (\(stored.groupID), \(stored.id), \(update.updateID), \(update.roomID), \(update.dealID), \(update.status.rawValue),
                    \(update.occurredAt), \(update.reportedBy), \(update.note), \(stored.receivedBy), \(stored.receivedAt))
            ON CONFLICT (group_id, update_id) DO NOTHING
            """) == 1
    }

    /// A room's updates, the latest first (by when they happened, then by arrival).
    public func ofRoom(groupID: UUID, roomID: UUID) async throws -> [StoredPropertyStatusUpdate] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM property_status_updates WHERE group_id = \(groupID) AND room_id = \(roomID)
            ORDER BY occurred_at DESC, id DESC
            """).map(Self.decode)
    }

    /// The deals with these ids (missing ids are absent), kept from changing until the transaction
    /// ends (a share lock, taken in id order), so that the history rows name the stage they are in.
    public func deals(groupID: UUID, ids: [UUID]) async throws -> [Deal] {
        try await transaction.query("""
            SELECT \(DealRepository.columns) FROM \(DealRepository.from) WHERE d.group_id = \(groupID) AND d.id = ANY(\(ids)::uuid[])
            ORDER BY d.id FOR SHARE OF d
            """).map(DealRepository.decode)
    }
}

extension UnitOfWork {
    public var propertyStatus: PropertyStatusRepository { PropertyStatusRepository(transaction: transaction) }
}
