import EstateLogic
import Foundation
import Testing

@Suite("OA approval results")
struct OAApprovalResultTests {
    let result = OAApprovalResult(resultID: "OA-1", changeRequestID: UUID(), version: 1, decision: .approve, approverRef: "chen.jing",
                                  approverName: "Chen Jing", comment: "Agreed", decidedAt: Date(timeIntervalSince1970: 1_790_000_000))

    @Test func decisionsAreTheChangeRequestsActions() {
        #expect(OAApprovalResult.Decision.approve.action == .approve)
        #expect(OAApprovalResult.Decision.reject.action == .reject)
    }

    @Test func aResendIsTheSameDecisionOfTheSamePerson() {
        var resent = result
        resent.comment = "Agreed (sent again)"
        resent.decidedAt = resent.decidedAt.addingTimeInterval(60)
        #expect(resent.isResend(of: result))
        let changes: [(inout OAApprovalResult) -> Void] = [{ $0.decision = .reject }, { $0.version = 2 }, { $0.approverRef = "liu.yang" },
                                                           { $0.changeRequestID = UUID() }]
        for change in changes {
            var other = result
            change(&other)
            #expect(!other.isResend(of: result))
        }
    }
}
