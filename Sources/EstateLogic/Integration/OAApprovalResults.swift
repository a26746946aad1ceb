import Foundation

/// One decision of the OA system on a change request awaiting approval (DOMAIN.md, "The sale, step
/// by step": special transactions, some approved in the OA system), as an `oa-approval-results-v1`
/// document carries it.
public struct OAApprovalResult: Sendable, Hashable {
    /// What the OA user decided.
    public enum Decision: String, Sendable, Hashable, CaseIterable {
        case approve
        case reject

        /// The change request's action the decision is.
        public var action: ChangeRequestAction { self == .approve ? .approve : .reject }
    }

    /// The OA system's id of this decision: sent again, it names the same decision.
    public var resultID: String
    public var changeRequestID: UUID
    /// The change request's version (its ETag) the OA user decided on.
    public var version: Int
    public var decision: Decision
    /// The OA user who decided: the OA system's reference (an Estate login where the person is an
    /// Estate user too: the OA system holds the group's staff) and their name.
    public var approverRef: String
    public var approverName: String
    public var comment: String?
    public var decidedAt: Date

    public init(resultID: String, changeRequestID: UUID, version: Int, decision: Decision, approverRef: String, approverName: String,
                comment: String?, decidedAt: Date) {
        self.resultID = resultID
        self.changeRequestID = changeRequestID
        self.version = version
        self.decision = decision
        self.approverRef = approverRef
        self.approverName = approverName
        self.comment = comment
        self.decidedAt = decidedAt
    }

    /// Whether this is `other` sent again: the same result id for the same request, version,
    /// decision and approver (a result id that comes back with another of these is a different
    /// decision under a used id, and is refused).
    public func isResend(of other: OAApprovalResult) -> Bool {
        resultID == other.resultID && changeRequestID == other.changeRequestID && version == other.version
            && decision == other.decision && approverRef == other.approverRef
    }
}

/// What became of one OA result.
public enum OAApprovalOutcome: String, Sendable, Hashable, CaseIterable {
    /// Decided now: the change request is approved or rejected.
    case applied
    /// The same result was applied before; nothing changed now.
    case alreadyApplied = "already_applied"
    /// Refused (with a code and a reason); nothing changed.
    case refused
}

public enum OAApprovalResults {
    /// The most results one document carries (the XSD says the same).
    public static let maximumResults = 500
}
