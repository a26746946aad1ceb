import EstateLogic
import Foundation
import PQ

/// An OA result that was applied: the decision as the OA system sent it, who it is in Estate, and the
/// change request's status and version after it.
public struct StoredOAApprovalResult: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var result: OAApprovalResult
    /// The Estate user the OA approver is, when their OA reference is a login of the group.
    public var approverUserID: UUID?
    public var statusAfter: ChangeRequestStatus
    public var versionAfter: Int
    /// Who sent it (`api_key:<id>` or `user:<id>`).
    public var receivedBy: String
    public var receivedAt: Date

    public init(groupID: UUID, id: UUID, result: OAApprovalResult, approverUserID: UUID?, statusAfter: ChangeRequestStatus,
                versionAfter: Int, receivedBy: String, receivedAt: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.result = result
        self.approverUserID = approverUserID
        self.statusAfter = statusAfter
        self.versionAfter = versionAfter
        self.receivedBy = receivedBy
        self.receivedAt = receivedAt
    }
}

/// Why an integration record cannot be stored: the sending system's id is taken (by a record that
/// arrived at the same moment; a record stored before is found first).
public enum IntegrationDataError: Error, Sendable, Hashable {
    case externalIDTaken(String)
}

/// The OA results applied (table oa_approval_results, 0021), by the OA system's result id.
public struct OAApprovalResultRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        group_id, id, result_id, change_request_id, request_version, decision, approver_ref, approver_name, approver_user_id, comment,
        decided_at, status_after, version_after, received_by, received_at
        """

    static func decode(_ row: PQRow) throws -> StoredOAApprovalResult {
        let decisionText: String = try row.decode("decision"), statusText: String = try row.decode("status_after")
        guard let decision = OAApprovalResult.Decision(rawValue: decisionText), let status = ChangeRequestStatus(rawValue: statusText) else {
            throw DataError.internalFailure("OA result with unknown decision \(decisionText) or status \(statusText)")
        }
        let result = OAApprovalResult(resultID: try row.decode("result_id"), changeRequestID: try row.decode("change_request_id"),
                                      version: try row.decode("request_version"), decision: decision, approverRef: try row.decode("approver_ref"),
                                      approverName: try row.decode("approver_name"), comment: try row.decode("comment"),
                                      decidedAt: try row.decode("decided_at"))
        return StoredOAApprovalResult(groupID: try row.decode("group_id"), id: try row.decode("id"), result: result,
                                      approverUserID: try row.decode("approver_user_id"), statusAfter: status,
                                      versionAfter: try row.decode("version_after"), receivedBy: try row.decode("received_by"),
                                      receivedAt: try row.decode("received_at"))
    }

    /// The result applied under the OA system's `resultID`, if any.
    public func find(groupID: UUID, resultID: String) async throws -> StoredOAApprovalResult? {
        try await transaction.query("SELECT \(Self.columns) FROM oa_approval_results WHERE group_id = \(groupID) AND result_id = \(resultID)")
            .firstRow.map(Self.decode)
    }

    /// Stores an applied result; its result id stored meanwhile is ``IntegrationDataError/externalIDTaken(_:)``.
    public func insert(_ stored: StoredOAApprovalResult) async throws {
        let result = stored.result
        do {
            try await transaction.execute("""
                INSERT INTO oa_approval_results (group_id, id, result_id, change_request_id, request_version, decision, approver_ref,
                                                 approver_name, approver_user_id, comment, decided_at, status_after, version_after,
                                                 received_by, received_at)
                VALUES (\(stored.groupID), \(stored.id), \(result.resultID), \(result.changeRequestID), \(result.version),
                        \(result.decision.rawValue), \(result.approverRef), \(result.approverName), \(stored.approverUserID), \(result.comment),
                        \(result.decidedAt), \(stored.statusAfter.rawValue), \(stored.versionAfter), \(stored.receivedBy), \(stored.receivedAt))
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "oa_approval_results_result_id_key" {
            throw IntegrationDataError.externalIDTaken(result.resultID)
        }
    }

    /// The active user of the group whose login is `username`, if any (the OA system's user
    /// reference of a person who is an Estate user too).
    public func userID(groupID: UUID, username: String) async throws -> UUID? {
        try await transaction.query("SELECT id FROM users WHERE group_id = \(groupID) AND username = \(username.lowercased())")
            .firstRow.map { try $0.decode("id") }
    }
}

extension UnitOfWork {
    public var oaApprovalResults: OAApprovalResultRepository { OAApprovalResultRepository(transaction: transaction) }
}
