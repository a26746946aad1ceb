import EstateData
import EstateLogic
import Foundation
import Hummingbird
import LibXML

/// `POST /v1/integration/oa/approval-results`: the OA system's decisions on change requests
/// (`oa-approval-results-v1`), answered with one outcome per result (`oa-approval-outcomes-v1`).
///
/// Each result is decided on its own, in its own transaction, by ``ChangeRequestController/decide``
/// (the same rules as `POST /v1/change-requests/{id}/approve|reject`): the results of one document
/// are independent decisions of different people on different requests, and the OA system must learn
/// which of them took effect; one stale or refused decision does not hold back the others. A result
/// applied is stored under the OA system's result id: sent again, it is answered `already_applied`
/// and changes nothing. A refused result writes nothing; sent again, it is checked again.
struct OAApprovalResultsController {
    let database: Database

    static let schema = "oa-approval-results-v1"
    static let outcomesSchema = "oa-approval-outcomes-v1"
    /// The largest document: 500 results with the longest comments fit.
    static let largestDocument = 2 << 20

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/integration/oa/approval-results", access: .permission(.dealsApprove),
                   maxBodyBytes: Self.largestDocument) { request, context in
            let document = try await IntegrationXML.read(request, context: context, schema: Self.schema)
            let namespace = try IntegrationSchemas.schema(Self.schema, logger: context.logger).namespace
            var outcomes: [OAResultOutcome] = []
            for record in IntegrationImportRecord.records(document.root, named: "result", namespace: namespace) {
                outcomes.append(try await apply(record, context: context))
            }
            let outcomesNamespace = try IntegrationSchemas.schema(Self.outcomesSchema, logger: context.logger).namespace
            return try IntegrationXML.response(OAResultOutcome.document(outcomes, namespace: outcomesNamespace), schema: Self.outcomesSchema,
                                               logger: context.logger)
        }
    }

    /// One result: applied in one transaction, answered from what was stored when it was applied
    /// before, or refused with the problem the API would have answered (a server fault still fails
    /// the whole request, so that the OA system sends the document again).
    func apply(_ record: IntegrationImportRecord, context: EstateRequestContext) async throws -> OAResultOutcome {
        let result: OAApprovalResult
        do throws(IntegrationFieldViolation) {
            result = try Self.result(record)
        } catch {
            return OAResultOutcome(record: record, outcome: .refused,
                                   refusal: .init(code: "validation", reason: "\(error.field) \(error.message)", field: error.field))
        }
        let caller = try context.requireCaller()
        do {
            return try await database.unitOfWork { work in
                if let stored = try await work.oaApprovalResults.find(groupID: caller.groupID, resultID: result.resultID) {
                    return OAResultOutcome(record: record, answering: result, with: stored)
                }
                let userID = try await work.oaApprovalResults.userID(groupID: caller.groupID, username: result.approverRef)
                let decider = ExternalDecider(actor: userID.map { AuditActor.user($0).historyText }, audit: [
                    "oaResultId": result.resultID, "oaApprover": result.approverRef, "oaApproverName": result.approverName,
                    "oaDecidedAt": result.decidedAt.formatted(.iso8601),
                ])
                let decided = try await ChangeRequestController.decide(work, context, id: result.changeRequestID, result.decision.action,
                                                                       note: result.comment, version: result.version, external: decider)
                do {
                    try await work.oaApprovalResults.insert(StoredOAApprovalResult(
                        groupID: decided.groupID, id: UUIDv7.make(), result: result, approverUserID: userID, statusAfter: decided.status,
                        versionAfter: decided.version, receivedBy: caller.actor.historyText))
                } catch IntegrationDataError.externalIDTaken {
                    throw OAResultOutcome.reusedResultID
                }
                return OAResultOutcome(record: record, outcome: .applied, status: decided.status, version: decided.version)
            }
        } catch {
            let problem = ProblemMiddleware.problem(for: error, context: context)
            guard (400..<500).contains(problem.statusCode) else { throw error }
            // The same result sent at the same moment may have been applied meanwhile.
            if let stored = try await database.read({ work in try await work.oaApprovalResults.find(groupID: caller.groupID, resultID: result.resultID) }) {
                return OAResultOutcome(record: record, answering: result, with: stored)
            }
            return OAResultOutcome(record: record, outcome: .refused, refusal: .init(problem))
        }
    }

    /// The result a record carries (the XSD checked its shape).
    static func result(_ record: IntegrationImportRecord) throws(IntegrationFieldViolation) -> OAApprovalResult {
        guard let version = Int(try record.required("version")) else {
            throw IntegrationFieldViolation(field: "version", message: "must be a whole number from 1 to 2147483647")
        }
        guard let decision = OAApprovalResult.Decision(rawValue: try record.required("decision")) else {
            throw IntegrationFieldViolation(field: "decision", message: "must be approve or reject")
        }
        guard let approver = record.child("approver"), let reference = approver.token("userRef"), let name = approver.token("name") else {
            throw IntegrationFieldViolation(field: "approver", message: "must name the OA user (userRef) and their name")
        }
        return OAApprovalResult(resultID: try record.required("resultId"), changeRequestID: try record.uuid("changeRequestId"), version: version,
                                decision: decision, approverRef: reference, approverName: name, comment: record.text("comment"),
                                decidedAt: try record.timestamp("decidedAt"))
    }
}

/// What became of one result (an `outcome` of `oa-approval-outcomes-v1`).
struct OAResultOutcome {
    struct Refusal {
        /// The problem code the API answers for the same refusal (`version-mismatch`, `own-change-request`, ...).
        let code: String
        let reason: String
        /// The result's field at fault (`version`, `approver.userRef`, ...).
        let field: String?

        init(code: String, reason: String, field: String?) {
            self.code = code
            self.reason = reason
            self.field = field
        }

        /// The result's field each refusal is about, by problem code.
        static let fields = ["not-found": "changeRequestId", "forbidden": "changeRequestId", "version-mismatch": "version",
                             "own-change-request": "approver.userRef", "illegal-change-request": "decision", "result-id-reused": "resultId"]

        /// The refusal the problem is, naming the result's field it is about.
        init(_ problem: Problem) {
            code = problem.code
            if let field = Self.fields[problem.code] {
                self.field = field
                reason = problem.code == "not-found" ? "No change request with this id is within the key's reach." : problem.detail ?? problem.title
            } else {
                // A field error of the decision (the note: a rejection needs one) is the comment.
                let error = problem.errors?.first
                let field = error.map { $0.field == "note" ? "comment" : $0.field }
                self.field = field
                reason = error.map { "\(field ?? $0.field) \($0.message)" } ?? problem.detail ?? problem.title
            }
        }
    }

    /// A result id used before for another decision.
    static let reusedResultID = Problem(status: .conflict, code: "result-id-reused",
                                        detail: "This result id was applied before to another decision; a result id names one decision.")

    let position: Int
    let resultID: String?
    let changeRequestID: String?
    let outcome: OAApprovalOutcome
    var status: ChangeRequestStatus?
    var version: Int?
    var refusal: Refusal?

    init(record: IntegrationImportRecord, outcome: OAApprovalOutcome, status: ChangeRequestStatus? = nil, version: Int? = nil,
         refusal: Refusal? = nil) {
        position = record.position
        resultID = record.text("resultId")
        changeRequestID = record.text("changeRequestId").map { $0.lowercased() }
        self.outcome = outcome
        self.status = status
        self.version = version
        self.refusal = refusal
    }

    /// The answer to a result whose id was applied before: the same decision sent again is
    /// `already_applied` (with the request as it was left then); another under that id is refused.
    init(record: IntegrationImportRecord, answering result: OAApprovalResult, with stored: StoredOAApprovalResult) {
        if result.isResend(of: stored.result) {
            self.init(record: record, outcome: .alreadyApplied, status: stored.statusAfter, version: stored.versionAfter)
        } else {
            self.init(record: record, outcome: .refused, refusal: Refusal(Self.reusedResultID))
        }
    }

    /// The `approvalOutcomes` document.
    static func document(_ outcomes: [OAResultOutcome], namespace: String) -> LibXML.XMLElement {
        func field(_ name: String, _ text: String) -> XMLContent { .element(LibXML.XMLElement(name, namespaceURI: namespace, text: text)) }
        return LibXML.XMLElement("approvalOutcomes", namespaceURI: namespace, children: outcomes.map { outcome in
            var children: [XMLContent] = [field("position", String(outcome.position))]
            if let resultID = outcome.resultID { children.append(field("resultId", resultID)) }
            if let changeRequestID = outcome.changeRequestID { children.append(field("changeRequestId", changeRequestID)) }
            children.append(field("status", outcome.outcome.rawValue))
            if let status = outcome.status, let version = outcome.version {
                children.append(field("changeRequestStatus", status.rawValue))
                children.append(field("changeRequestVersion", String(version)))
            }
            if let refusal = outcome.refusal {
                var parts = [field("code", refusal.code), field("reason", refusal.reason)]
                if let name = refusal.field { parts.append(field("field", "results[\(outcome.position)].\(name)")) }
                children.append(.element(LibXML.XMLElement("refusal", namespaceURI: namespace, children: parts)))
            }
            return .element(LibXML.XMLElement("outcome", namespaceURI: namespace, children: children))
        })
    }
}
