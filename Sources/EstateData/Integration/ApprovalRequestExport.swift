import EstateLogic
import Foundation
import PQ

/// A change request for the OA system: the request as stored, with its deal, room, buyers and the
/// requester's name.
public struct ApprovalRequestRecord: Sendable, Hashable {
    public var request: StoredChangeRequest
    public var project: IntegrationUnit
    public var dealStage: DealStage
    public var building: IntegrationUnit
    public var roomID: UUID
    public var roomNumber: String
    /// The deal's buyers in order: id, name and share.
    public var buyers: [Buyer]
    /// The requesting user's name (nil for an API key or the system).
    public var requesterName: String?
    public var updatedAt: Date

    public struct Buyer: Sendable, Hashable, Decodable {
        public var customerId: UUID
        public var name: String
        public var shareBasisPoints: Int
    }
}

extension IntegrationExports {
    /// Change requests of deals under `roots` (of `statuses` when given), in sync order: a request
    /// comes when it is made and again whenever it is decided or executed.
    public func approvalRequests(groupID: UUID, under roots: [UUID], statuses: [ChangeRequestStatus], after position: SyncPosition?,
                                 since: Date?, limit: Int) async throws -> SyncPage<ApprovalRequestRecord> {
        let status: SQL = statuses.isEmpty ? "" : "AND c.status = ANY(\(statuses.map(\.rawValue))::text[])"
        let source: SQL = """
            SELECT c.sync_xact AS sync_stamp, c.id AS sync_key, 0 AS sync_part, c.updated_at AS sync_time,
                   \(ChangeRequestRepository.columns), c.updated_at, d.stage AS deal_stage,
                   o.code AS project_code, o.name AS project_name, b.id AS building_id, b.code AS building_code, b.name AS building_name,
                   r.id AS room_id, r.number AS room_number, u.display_name AS requester_name
            FROM \(ChangeRequestRepository.from)
            JOIN rooms r ON r.group_id = d.group_id AND r.id = d.room_id
            JOIN buildings b ON b.group_id = r.group_id AND b.id = r.building_id
            LEFT JOIN users u ON u.group_id = c.group_id AND c.requested_by = 'user:' || u.id::text
            WHERE c.group_id = \(groupID) AND \(Self.scope(roots)) \(status)
            """
        let details: SQL = """
            SELECT coalesce(jsonb_agg(jsonb_build_object('customerId', cu.id, 'name', cu.name, 'shareBasisPoints', db.share_bp)
                                      ORDER BY db.position), '[]') AS buyers
            FROM deal_buyers db JOIN customers cu ON cu.group_id = db.group_id AND cu.id = db.customer_id
            WHERE db.group_id = s.group_id AND db.deal_id = s.deal_id
            """
        return try await IntegrationSync.page(transaction, source: source, details: details, after: position, since: since,
                                              limit: limit) { row in
            let request = try ChangeRequestRepository.decode(row)
            let stageText: String = try row.decode("deal_stage")
            guard let stage = DealStage(rawValue: stageText) else { throw DataError.internalFailure("deal in unknown stage \(stageText)") }
            return ApprovalRequestRecord(
                request: request, project: IntegrationUnit(id: request.projectID, code: try row.decode("project_code"), name: try row.decode("project_name")),
                dealStage: stage, building: try .decode(row, "building"), roomID: try row.decode("room_id"),
                roomNumber: try row.decode("room_number"), buyers: try row.decode("buyers", as: PQJSON.self).decode([ApprovalRequestRecord.Buyer].self),
                requesterName: try row.decode("requester_name"), updatedAt: try row.decode("updated_at"))
        }
    }
}
