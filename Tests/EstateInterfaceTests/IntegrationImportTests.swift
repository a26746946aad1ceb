import EstateData
@testable import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import PQ
import Testing

/// An integration partner's API key of the demo group at `unit` with `permissions`; its token. Made
/// in the database: a key never gets what its issuer lacks, and the administrator who issues keys
/// holds no business permission.
func integrationKey(_ world: IdentityWorld, at unit: UUID, _ permissions: Set<Permission>, name: String) async throws -> (token: String, id: UUID) {
    let groupID = try await world.groupID()
    let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
    let issuer: UUID = try await pool.query("SELECT id FROM users WHERE group_id = \(groupID) AND username = 'system.administrator'")
        .firstRow!.decode("id")
    await pool.close()
    return try await world.database.unitOfWork { work in
        let token = BearerToken.make(.apiKey, groupID: groupID)
        let key = APIKey(groupID: groupID, id: UUIDv7.make(), name: name, orgUnitID: unit, permissions: permissions, createdBy: issuer,
                         createdAt: Date(), expiresAt: Date().addingTimeInterval(86_400))
        try await work.apiKeys.insert(key, token: token)
        return (token.text, key.id)
    }
}

/// An integration document's answer: an XML outcome document (checked against its XSD in the
/// repository's schemas/integration) or a problem.
struct IntegrationReply {
    let status: HTTPResponse.Status
    let contentType: String
    let text: String
    let root: LibXML.XMLElement?
    let problem: [String: Any]

    /// The outcomes: each `outcome` element's fields by name (a nested `refusal`'s as `refusal.code`, ...).
    var outcomes: [[String: String]] {
        (root?.elements ?? []).map { outcome in
            var fields: [String: String] = [:]
            for element in outcome.elements {
                if element.elements.isEmpty {
                    fields[element.name] = element.text
                } else {
                    for child in element.elements { fields["\(element.name).\(child.name)"] = child.text }
                }
            }
            return fields
        }
    }

    var code: String? { problem["code"] as? String }
    var errors: [[String: Any]] { problem["errors"] as? [[String: Any]] ?? [] }
    var errorFields: [String] { errors.compactMap { $0["field"] as? String } }
}

enum IntegrationDocuments {
    static let schemas: IntegrationSchemas = {
        do {
            return try IntegrationSchemas(directory: IntegrationSchemaTests.repository.appendingPathComponent("schemas/integration"))
        } catch {
            fatalError("schemas/integration: \(error)")
        }
    }()

    /// Posts `xml` to `uri` and reads the answer: a success must be the document of `answer` (an XSD
    /// of schemas/integration), valid; every answer must be one the spec documents.
    static func post(_ client: some TestClientProtocol, _ uri: String, _ token: String, _ xml: String, answer: String,
                     contentType: String = "application/xml", sourceLocation: SourceLocation = #_sourceLocation) async throws -> IntegrationReply {
        try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: contentType],
                                 body: ByteBuffer(string: xml)) { response in
            try expectConforms(response, to: "POST", uri, sourceLocation: sourceLocation)
            let type = response.headers[.contentType] ?? ""
            var root: LibXML.XMLElement?
            if response.status == .ok {
                #expect(type.hasPrefix("application/xml"), sourceLocation: sourceLocation)
                let schema = try #require(schemas.schemas[answer])
                let document = try XMLDocument.parse(response.body.readableBytesView)
                #expect(document.root.namespaceURI == schema.namespace, sourceLocation: sourceLocation)
                #expect(throws: Never.self, sourceLocation: sourceLocation) { try schema.schema.validate(document) }
                root = document.root
            }
            let problem = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return IntegrationReply(status: response.status, contentType: type, text: String(buffer: response.body), root: root, problem: problem)
        }
    }
}

/// One result of an `oa-approval-results-v1` document.
struct OAResultXML {
    var resultId: String
    var changeRequestId: String
    var version: Int
    var decision: String
    var userRef: String = "city.sales.management"
    var name: String = "Chen Jing"
    var comment: String? = "Agreed in OA"
    var decidedAt: String = "2026-11-20T10:15:00+08:00"

    static func document(_ results: [OAResultXML]) -> String {
        integrationDocument("approvalResults", "urn:estate:integration:oa:approval-results:v1", "result", results.map { result in
            [("resultId", result.resultId), ("changeRequestId", result.changeRequestId), ("version", String(result.version)),
             ("decision", result.decision), ("approver", "<userRef>\(result.userRef)</userRef><name>\(result.name)</name>"),
             ("comment", result.comment), ("decidedAt", result.decidedAt)]
        })
    }
}

/// An inbound document: `root` in `namespace` with an `item` element per record, each field an
/// element of its own line (absent when nil; the value is XML text as it is).
func integrationDocument(_ root: String, _ namespace: String, _ item: String, _ records: [[(String, String?)]]) -> String {
    var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#, #"<\#(root) xmlns="\#(namespace)">"#]
    for fields in records {
        lines.append("  <\(item)>")
        lines += fields.compactMap { name, value in value.map { "    <\(name)>\($0)</\(name)>" } }
        lines.append("  </\(item)>")
    }
    lines.append("</\(root)>")
    return lines.joined(separator: "\n")
}

/// One update of a `property-status-updates-v1` document.
struct StatusUpdateXML {
    var updateId: String
    var roomId: String
    var dealId: String
    var status: String
    var occurredAt: String = "2026-11-09T15:00:00+08:00"
    var note: String? = nil

    static func document(_ updates: [StatusUpdateXML]) -> String {
        integrationDocument("statusUpdates", "urn:estate:integration:property:status-updates:v1", "update", updates.map { update in
            [("updateId", update.updateId), ("roomId", update.roomId), ("dealId", update.dealId), ("status", update.status),
             ("occurredAt", update.occurredAt), ("reportedBy", "Riverside property office"), ("note", update.note)]
        })
    }
}

/// Another group's project with a room, a deal handed over to property management and a pending change
/// request of it, straight into the database.
func otherGroupObjects(_ world: IdentityWorld) async throws -> (room: UUID, deal: UUID, changeRequest: UUID) {
    let groupID = try await world.groupID("other")
    let root = world.otherGroupUnit
    let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
    let owner: UUID = try await pool.query("SELECT id FROM users WHERE group_id = \(groupID) AND username = 'admin'").firstRow!.decode("id")
    await pool.close()
    let objects = try await world.database.unitOfWork { work in
        let projectID = UUIDv7.make()
        let project = OrgUnit(groupID: groupID, id: projectID, parentID: root, kind: .project, code: "elsewhere", name: "Elsewhere",
                              path: [root, projectID])
        try await work.orgUnits.insert(project)
        let building = Building(groupID: groupID, id: UUIDv7.make(), projectID: project.id, code: "e1", name: "E1")
        try await work.buildings.insert(building)
        let room = Room(groupID: groupID, id: UUIDv7.make(), projectID: project.id, buildingID: building.id,
                        attributes: RoomAttributes(number: "101", floor: 1, stack: 1))
        try await work.rooms.insert([room])
        let customer = Customer(groupID: groupID, id: UUIDv7.make(), projectID: project.id, projectPath: project.path,
                                profile: CustomerProfile(name: "Elsewhere buyer", source: "walk_in"), ownerID: owner, createdBy: owner)
        try await work.customers.insert(customer)
        let deal = Deal(groupID: groupID, id: UUIDv7.make(), projectID: project.id, projectPath: project.path, roomID: room.id, ownerID: owner,
                        stage: .reserved, buyers: [DealBuyer(customerID: customer.id, shareBasisPoints: 10_000)],
                        deposit: Deposit(kind: .intent, amount: Money(yuan: 1000)), reservedUntil: Date().addingTimeInterval(86_400),
                        pricing: nil, subscribedOn: nil, createdBy: "system")
        try await work.deals.insert(deal)
        let request = UUIDv7.make()
        try await work.changeRequests.insert(NewChangeRequest(groupID: groupID, id: request, dealID: deal.id, kind: .changeBuyers, reason: "Elsewhere",
                                                              payload: ["buyers": [customer.id]], requestedBy: "system",
                                                              before: [String: String](), after: [String: String]()))
        return (room: room.id, deal: deal.id, changeRequest: request)
    }
    // Handed over to its property management since.
    try await world.sql("""
        UPDATE deals SET stage = 'property_handed_over', final_price = 1000000, list_price = 1000000, payment_method = 'full'
        WHERE group_id = \(groupID) AND id = \(objects.deal)
        """)
    return objects
}

/// The deal world with a deal of room 102 taken through every step up to its handover to property
/// management, and the property-management system's key (deals.write, deals.read at riverside).
struct HandoverDesk {
    let deals: DealWorld
    let consultant: String
    let buyer: String
    /// The handed-over deal and its room (102).
    let deal: String
    let room: String
    let property: (token: String, id: UUID)

    static func make(_ client: some TestClientProtocol, _ world: IdentityWorld) async throws -> HandoverDesk {
        let deals = try await DealWorld.make(client, world)
        let consultant = try await signIn(client, "property.consultant")
        let buyer = try await deals.customer(client, consultant, "Wang Fang", phone: "13900001111")
        try await deals.priceAtTwentyThousand("102")
        let id = try await deals.subscribedDeal(client, consultant, room: "102", buyer: buyer)
        let steps: [(String, [String: Any])] = [
            ("contract", ["date": shanghaiDay(-50), "contractNumber": "HT-2026-0102", "filingNumber": "YS-0102", "filedOn": shanghaiDay(-49)]),
            ("settle-area", ["date": shanghaiDay(-30), "actualArea": "100"]),
            ("send-move-in-notice", ["date": shanghaiDay(-20)]), ("inspect", ["date": shanghaiDay(-15)]),
            ("hand-over-keys", ["date": shanghaiDay(-10)]), ("hand-over-to-property-management", ["date": shanghaiDay(-8)]),
        ]
        for (name, body) in steps {
            let reply = try await step(client, consultant, id, name, body)
            #expect(reply.status == .ok, "\(name): \(reply.text)")
        }
        let property = try await integrationKey(world, at: try await world.unitID("riverside"), [.dealsWrite, .dealsRead], name: "Property system")
        return HandoverDesk(deals: deals, consultant: consultant, buyer: buyer, deal: id, room: deals.rooms["102"]!.uuidString, property: property)
    }

    /// A deal of room 101 subscribed with full payment: not handed over.
    func subscribed(_ client: some TestClientProtocol) async throws -> String {
        try await deals.subscribedDeal(client, consultant, room: "101", buyer: buyer,
                                       subscription: ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]])
    }
}

@Suite("Integration: inbound documents")
struct IntegrationImportTests {
    static let approvals = "/v1/integration/oa/approval-results"
    static let statusUpdates = "/v1/integration/property/status-updates"

    // MARK: OA approval results

    @Test func oaResultsApproveAndRejectByTheRulesOfTheApprovalRoutes() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let oa = try await integrationKey(world, at: riverside, [.dealsApprove, .dealsRead], name: "OA system")
            let spouse = try await desk.deals.customer(client, desk.consultant, "Zhao Lei", phone: "13900008888")
            let first = try await desk.subscribed("101")
            let second = try await desk.subscribed("202")
            let addSpouse: [String: Any] = ["kind": "change_buyers", "reason": "Adds his wife",
                                            "buyers": [["customerId": desk.buyer, "shareBasisPoints": 6000],
                                                       ["customerId": spouse, "shareBasisPoints": 4000]]]
            let approveMe = try await desk.request(first, desk.consultant, addSpouse).id().uuidString.lowercased()
            let rejectMe = try await desk.request(second, desk.consultant, addSpouse).id().uuidString.lowercased()
            let read = try await call(client, .get, "/v1/change-requests/\(approveMe)", desk.consultant)
            #expect(read.etag == "\"1\"")

            let document = OAResultXML.document([
                OAResultXML(resultId: "OA-1", changeRequestId: approveMe, version: 1, decision: "approve"),
                OAResultXML(resultId: "OA-2", changeRequestId: rejectMe.uppercased(), version: 1, decision: "reject", userRef: "E100238",
                            name: "Liu  Yang", comment: "  The ID card is missing  "),
            ])
            let reply = try await IntegrationDocuments.post(client, Self.approvals, oa.token, document, answer: "oa-approval-outcomes-v1")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.outcomes == [
                ["position": "0", "resultId": "OA-1", "changeRequestId": approveMe, "status": "applied",
                 "changeRequestStatus": "approved", "changeRequestVersion": "2"],
                ["position": "1", "resultId": "OA-2", "changeRequestId": rejectMe, "status": "applied",
                 "changeRequestStatus": "rejected", "changeRequestVersion": "2"],
            ], "\(reply.text)")

            // The requests as the API shows them: decided by the OA system's key, with the OA comment.
            let approved = try await call(client, .get, "/v1/change-requests/\(approveMe)", desk.consultant)
            #expect(approved.string("status") == "approved" && approved.string("decidedBy") == "api_key:\(oa.id.uuidString.lowercased())"
                    && approved.string("decisionNote") == "Agreed in OA" && approved.etag == "\"2\"", "\(approved.text)")
            let rejected = try await call(client, .get, "/v1/change-requests/\(rejectMe)", desk.consultant)
            #expect(rejected.string("status") == "rejected" && rejected.string("decisionNote") == "The ID card is missing", "\(rejected.text)")
            // The audit names the OA user beside the key.
            let admin = try await signIn(client, "system.administrator")
            let audit = try await call(client, .get, "/v1/audit-entries?objectId=\(approveMe)", admin)
            let entry = try #require(audit.items.first { $0["action"] as? String == "change_request.approve" }, "\(audit.text)")
            #expect((entry["actor"] as? [String: Any])?["type"] as? String == "api_key")
            let changes = Dictionary((entry["changes"] as? [[String: Any]] ?? []).map { ($0["field"] as? String ?? "", $0["after"] as? String) },
                                     uniquingKeysWith: { first, _ in first })
            #expect(changes["oaApprover"] == "city.sales.management" && changes["oaApproverName"] == "Chen Jing" && changes["oaResultId"] == "OA-1",
                    "\(changes)")
            let rejectAudit = try await call(client, .get, "/v1/audit-entries?objectId=\(rejectMe)", admin)
            #expect(rejectAudit.text.contains("\"Liu Yang\""), "\(rejectAudit.text)")

            // The approved change is executed as any other; the deal has both buyers.
            let executed = try await desk.execute(approveMe, desk.consultant)
            #expect(executed.status == .ok && executed.string("status") == "executed", "\(executed.text)")
            let deal = try await desk.deal(first)
            #expect((deal.body["buyers"] as? [[String: Any]])?.count == 2, "\(deal.text)")
            let history = try await call(client, .get, "/v1/deals/\(first)/history", desk.consultant)
            #expect(history.items.last?["event"] as? String == "change_buyers")

            // Sent again: the same outcomes, as they were, and nothing changes (the request stays executed, no new audit entry).
            let entries = try await call(client, .get, "/v1/audit-entries?limit=500", admin).items.count
            let again = try await IntegrationDocuments.post(client, Self.approvals, oa.token, document, answer: "oa-approval-outcomes-v1")
            #expect(again.outcomes.map { $0["status"] } == ["already_applied", "already_applied"], "\(again.text)")
            #expect(again.outcomes.map { $0["changeRequestStatus"] } == ["approved", "rejected"])
            #expect(again.outcomes.map { $0["changeRequestVersion"] } == ["2", "2"])
            #expect(try await call(client, .get, "/v1/change-requests/\(approveMe)", desk.consultant).string("status") == "executed")
            #expect(try await call(client, .get, "/v1/audit-entries?limit=500", admin).items.count == entries)
            // A used result id with another decision is refused.
            let reused = try await IntegrationDocuments.post(client, Self.approvals, oa.token, OAResultXML.document([
                OAResultXML(resultId: "OA-1", changeRequestId: rejectMe, version: 2, decision: "approve")]), answer: "oa-approval-outcomes-v1")
            #expect(reused.outcomes.first?["status"] == "refused" && reused.outcomes.first?["refusal.code"] == "result-id-reused"
                    && reused.outcomes.first?["refusal.field"] == "results[0].resultId", "\(reused.text)")
        }
        await world.database.close()
    }

    @Test func oaResultsAreRefusedOneByOne() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let other = try await otherGroupObjects(world)
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let oa = try await integrationKey(world, at: riverside, [.dealsApprove], name: "OA system")
            let rename: [String: Any] = ["kind": "change_buyers", "reason": "Rename", "buyers": [["customerId": desk.buyer]]]
            let first = try await desk.subscribed("101")
            let second = try await desk.subscribed("202")
            let third = try await desk.subscribed("102")
            // Approved in Estate meanwhile: the OA user decided on version 1.
            let stale = try await desk.request(first, desk.consultant, rename).id().uuidString
            #expect(try await desk.approve(stale, desk.city).status == .ok)
            // Asked by the sales manager, who is the OA approver too.
            let own = try await desk.request(second, desk.manager, rename).id().uuidString
            // A pending request that the same document also decides: applied, whatever befalls the others.
            let fine = try await desk.request(third, desk.consultant, rename).id().uuidString
            let unknown = UUIDv7.make().uuidString.lowercased()

            let reply = try await IntegrationDocuments.post(client, Self.approvals, oa.token, OAResultXML.document([
                OAResultXML(resultId: "OA-10", changeRequestId: stale, version: 1, decision: "reject"),
                OAResultXML(resultId: "OA-11", changeRequestId: own, version: 1, decision: "approve", userRef: "sales.manager", name: "Wang Min"),
                OAResultXML(resultId: "OA-12", changeRequestId: other.changeRequest.uuidString, version: 1, decision: "approve"),
                OAResultXML(resultId: "OA-13", changeRequestId: unknown, version: 1, decision: "approve"),
                OAResultXML(resultId: "OA-14", changeRequestId: fine, version: 1, decision: "reject", comment: "   "),
                OAResultXML(resultId: "OA-15", changeRequestId: stale, version: 2, decision: "approve"),
                OAResultXML(resultId: "OA-16", changeRequestId: fine, version: 1, decision: "approve"),
            ]), answer: "oa-approval-outcomes-v1")
            #expect(reply.status == .ok, "\(reply.text)")
            let outcomes = reply.outcomes
            #expect(outcomes.map { $0["status"] } == ["refused", "refused", "refused", "refused", "refused", "refused", "applied"], "\(reply.text)")
            #expect(outcomes.map { $0["refusal.code"] } == ["version-mismatch", "own-change-request", "not-found", "not-found", "validation",
                                                            "illegal-change-request", nil], "\(reply.text)")
            #expect(outcomes.map { $0["refusal.field"] } == ["results[0].version", "results[1].approver.userRef", "results[2].changeRequestId",
                                                             "results[3].changeRequestId", "results[4].comment", "results[5].decision", nil])
            // Another group's request is not told apart from one that does not exist.
            #expect(outcomes[2]["refusal.reason"] == outcomes[3]["refusal.reason"])
            #expect(!reply.text.contains("Elsewhere"))

            // Nothing changed for the refused ones.
            let staleNow = try await call(client, .get, "/v1/change-requests/\(stale)", desk.consultant)
            #expect(staleNow.string("status") == "approved" && staleNow.etag == "\"2\"")
            let ownNow = try await call(client, .get, "/v1/change-requests/\(own)", desk.consultant)
            #expect(ownNow.string("status") == "pending" && ownNow.etag == "\"1\"")
            #expect(try await call(client, .get, "/v1/change-requests/\(fine)", desk.consultant).string("status") == "approved")
            let otherAdmin = try await signIn(client, "admin", group: "other")
            let elsewhere = try await call(client, .get, "/v1/change-requests/\(other.changeRequest)", otherAdmin)
            #expect(elsewhere.string("status") == "pending" && elsewhere.etag == "\"1\"", "\(elsewhere.text)")

            // A refused result is checked again when sent again: once the sales manager's request is the
            // city's to decide (the OA user is someone else), the same kind of result applies.
            let retried = try await IntegrationDocuments.post(client, Self.approvals, oa.token, OAResultXML.document([
                OAResultXML(resultId: "OA-11", changeRequestId: own, version: 1, decision: "approve", userRef: "sales.manager", name: "Wang Min"),
                OAResultXML(resultId: "OA-17", changeRequestId: own, version: 1, decision: "approve"),
            ]), answer: "oa-approval-outcomes-v1")
            #expect(retried.outcomes.map { $0["status"] } == ["refused", "applied"], "\(retried.text)")
        }
        await world.database.close()
    }

    @Test func oaDocumentsMustBeXMLValidAndSentWithDealsApprove() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let oa = try await integrationKey(world, at: riverside, [.dealsApprove], name: "OA system")
            let property = try await integrationKey(world, at: riverside, [.dealsWrite, .dealsRead], name: "Property system")
            let deal = try await desk.subscribed("101")
            let id = try await desk.request(deal, desk.consultant, ["kind": "change_buyers", "reason": "Rename",
                                                                    "buyers": [["customerId": desk.buyer]]]).id().uuidString
            let valid = OAResultXML.document([OAResultXML(resultId: "OA-20", changeRequestId: id, version: 1, decision: "approve")])

            // Not XML: 415.
            let json = try await IntegrationDocuments.post(client, Self.approvals, oa.token, #"{"results": []}"#, answer: "oa-approval-outcomes-v1",
                                                           contentType: "application/json")
            #expect(json.status == .unsupportedMediaType && json.code == "unsupported-media-type", "\(json.text)")
            // Refused by the XSD: 400 naming the line and column.
            let invalid = valid.replacingOccurrences(of: "<decision>approve</decision>", with: "<decision>maybe</decision>")
            let line = try #require(invalid.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("maybe") }) + 1
            let refused = try await IntegrationDocuments.post(client, Self.approvals, oa.token, invalid, answer: "oa-approval-outcomes-v1")
            #expect(refused.status == .badRequest && refused.code == "validation", "\(refused.text)")
            #expect(refused.errors.first?["line"] as? Int == line && (refused.errors.first?["column"] as? Int ?? 0) > 0, "\(refused.text)")
            #expect((refused.problem["detail"] as? String)?.contains("schemas/integration/oa-approval-results-v1.xsd") == true)
            let malformed = try await IntegrationDocuments.post(client, Self.approvals, oa.token, "<approvalResults>", answer: "oa-approval-outcomes-v1")
            #expect(malformed.status == .badRequest && malformed.code == "bad-request", "\(malformed.text)")
            // Without deals.approve: 403, for a key and for a user.
            #expect(try await IntegrationDocuments.post(client, Self.approvals, property.token, valid, answer: "oa-approval-outcomes-v1").status == .forbidden)
            #expect(try await IntegrationDocuments.post(client, Self.approvals, desk.consultant, valid, answer: "oa-approval-outcomes-v1").status == .forbidden)
            // Nothing of it applied.
            #expect(try await call(client, .get, "/v1/change-requests/\(id)", desk.consultant).string("status") == "pending")
            // A user holding deals.approve may send it too (the decision is theirs).
            let city = try await IntegrationDocuments.post(client, Self.approvals, desk.city, valid, answer: "oa-approval-outcomes-v1")
            #expect(city.outcomes.first?["status"] == "applied", "\(city.text)")
        }
        await world.database.close()
    }

    @Test func theSameDocumentSentTwiceAtOnceTakesEffectOnce() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let desk = try await HandoverDesk.make(client, world)
            let (consultant, buyer, deal, room, property) = (desk.consultant, desk.buyer, desk.deal, desk.room, desk.property)
            let oa = try await integrationKey(world, at: riverside, [.dealsApprove], name: "OA system")
            let subscribed = try await desk.subscribed(client)
            let request = try await call(client, .post, "/v1/deals/\(subscribed)/change-requests", consultant, [
                "kind": "change_buyers", "reason": "Rename", "buyers": [["customerId": buyer]]]).id().uuidString

            let updates = StatusUpdateXML.document([
                StatusUpdateXML(updateId: "PM-B", roomId: room, dealId: deal, status: "owner_moved_in"),
                StatusUpdateXML(updateId: "PM-A", roomId: room, dealId: deal, status: "handover_accepted", occurredAt: "2026-10-08T09:30:00+08:00"),
            ])
            async let firstUpdates = IntegrationDocuments.post(client, Self.statusUpdates, property.token, updates, answer: "property-status-outcomes-v1")
            async let secondUpdates = IntegrationDocuments.post(client, Self.statusUpdates, property.token, updates, answer: "property-status-outcomes-v1")
            let results = OAResultXML.document([OAResultXML(resultId: "OA-C", changeRequestId: request, version: 1, decision: "approve")])
            async let firstResults = IntegrationDocuments.post(client, Self.approvals, oa.token, results, answer: "oa-approval-outcomes-v1")
            async let secondResults = IntegrationDocuments.post(client, Self.approvals, oa.token, results, answer: "oa-approval-outcomes-v1")
            let (one, two, three, four) = try await (firstUpdates, secondUpdates, firstResults, secondResults)

            #expect(one.status == .ok && two.status == .ok, "\(one.text) \(two.text)")
            #expect((one.outcomes + two.outcomes).map { $0["status"] ?? "" }.sorted() == ["already_stored", "already_stored", "stored", "stored"],
                    "\(one.text) \(two.text)")
            #expect(one.outcomes.map { $0["id"] } == two.outcomes.map { $0["id"] })
            #expect(try await call(client, .get, "/v1/rooms/\(room)/property-status", consultant).items.count == 2)
            #expect(try await call(client, .get, "/v1/deals/\(deal)/history", consultant).items.filter { $0["event"] as? String == "property_status" }.count == 2)
            #expect([three.outcomes.first?["status"], four.outcomes.first?["status"]].compactMap { $0 }.sorted() == ["already_applied", "applied"],
                    "\(three.text) \(four.text)")
            let decided = try await call(client, .get, "/v1/change-requests/\(request)", consultant)
            #expect(decided.string("status") == "approved" && decided.etag == "\"2\"", "\(decided.text)")
        }
        await world.database.close()
    }

    // MARK: Property-management status updates

    @Test func statusUpdatesAreStoredOnceShownAndRecordedInTheDealsHistory() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await HandoverDesk.make(client, world)
            let (consultant, deal, room, property) = (desk.consultant, desk.deal, desk.room, desk.property)

            // Before any update: no current status.
            let empty = try await checked(client, .get, "/v1/rooms/\(room)/property-status", "/v1/rooms/{id}/property-status", consultant)
            #expect(empty.status == .ok && empty.body["current"] == nil && empty.items.isEmpty, "\(empty.text)")

            let document = StatusUpdateXML.document([
                StatusUpdateXML(updateId: "PM-1", roomId: room, dealId: deal, status: "handover_accepted", occurredAt: "2026-10-08T09:30:00+08:00"),
                StatusUpdateXML(updateId: "PM-2", roomId: room.uppercased(), dealId: deal, status: "owner_moved_in",
                                occurredAt: "2026-11-09T15:00:00.5+08:00", note: "Moved in after the fit-out"),
            ])
            let reply = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, document, answer: "property-status-outcomes-v1")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.outcomes.map { $0["status"] } == ["stored", "stored"] && reply.outcomes.map { $0["updateId"] } == ["PM-1", "PM-2"],
                    "\(reply.text)")

            let shown = try await checked(client, .get, "/v1/rooms/\(room)/property-status", "/v1/rooms/{id}/property-status", consultant)
            #expect(shown.string("current") == "owner_moved_in", "\(shown.text)")
            #expect(shown.items.compactMap { $0["updateId"] as? String } == ["PM-2", "PM-1"])
            #expect(shown.items.compactMap { ($0["id"] as? String)?.lowercased() } == reply.outcomes.reversed().compactMap { $0["id"] })
            #expect(shown.items.first?["note"] as? String == "Moved in after the fit-out"
                    && shown.items.first?["reportedBy"] as? String == "Riverside property office"
                    && (shown.items.first?["dealId"] as? String)?.lowercased() == deal.lowercased()
                    && shown.items.first?["receivedBy"] as? String == "api_key:\(property.id.uuidString.lowercased())", "\(shown.text)")
            let history = try await call(client, .get, "/v1/deals/\(deal)/history", consultant)
            let events = history.items.filter { $0["event"] as? String == "property_status" }
            #expect(events.count == 2 && events.compactMap { ($0["after"] as? [String: Any])?["status"] as? String }
                        == ["handover_accepted", "owner_moved_in"], "\(history.text)")
            #expect(events.last?["reason"] as? String == "Moved in after the fit-out" && events.last?["toStage"] as? String == "property_handed_over")

            // Sent again: the same ids, nothing stored twice.
            let again = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, document, answer: "property-status-outcomes-v1")
            #expect(again.outcomes.map { $0["status"] } == ["already_stored", "already_stored"], "\(again.text)")
            #expect(again.outcomes.map { $0["id"] } == reply.outcomes.map { $0["id"] })
            #expect(try await call(client, .get, "/v1/rooms/\(room)/property-status", consultant).items.count == 2)
            #expect(try await call(client, .get, "/v1/deals/\(deal)/history", consultant).items.filter { $0["event"] as? String == "property_status" }.count == 2)

            // XML by negotiation; another group's administrator sees nothing of it.
            try await client.execute(uri: "/v1/rooms/\(room)/property-status", method: .get,
                                     headers: [.authorization: "Bearer \(consultant)", .accept: "application/xml"]) { response in
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("application/xml") == true)
                #expect(String(buffer: response.body).contains("<current>owner_moved_in</current>"))
            }
            let otherAdmin = try await signIn(client, "admin", group: "other")
            #expect(try await call(client, .get, "/v1/rooms/\(room)/property-status", otherAdmin).status == .notFound)
        }
        await world.database.close()
    }

    @Test func aBadUpdateRefusesTheWholeDocumentNamingEveryBadUpdate() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let other = try await otherGroupObjects(world)
        try await world.test { client in
            let desk = try await HandoverDesk.make(client, world)
            let (deals, consultant, deal, room, property) = (desk.deals, desk.consultant, desk.deal, desk.room, desk.property)
            let subscribed = try await desk.subscribed(client)
            let first = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, StatusUpdateXML.document([
                StatusUpdateXML(updateId: "PM-1", roomId: room, dealId: deal, status: "handover_accepted")]), answer: "property-status-outcomes-v1")
            #expect(first.status == .ok, "\(first.text)")

            let document = StatusUpdateXML.document([
                StatusUpdateXML(updateId: "PM-2", roomId: room, dealId: deal, status: "renovation_started"),
                StatusUpdateXML(updateId: "PM-3", roomId: deals.rooms["101"]!.uuidString, dealId: subscribed, status: "owner_moved_in"),
                StatusUpdateXML(updateId: "PM-4", roomId: UUIDv7.make().uuidString, dealId: deal, status: "owner_moved_in"),
                StatusUpdateXML(updateId: "PM-5", roomId: other.room.uuidString, dealId: other.deal.uuidString, status: "keys_returned"),
                StatusUpdateXML(updateId: "PM-1", roomId: room, dealId: deal, status: "owner_moved_in"),
                StatusUpdateXML(updateId: "PM-6", roomId: room, dealId: deal, status: "defect_reported", occurredAt: "2099-01-01T00:00:00Z"),
                StatusUpdateXML(updateId: "PM-7", roomId: room, dealId: subscribed, status: "owner_moved_in"),
                StatusUpdateXML(updateId: "PM-2", roomId: room, dealId: deal, status: "renovation_started"),
            ])
            let refused = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, document, answer: "property-status-outcomes-v1")
            #expect(refused.status == .unprocessableContent && refused.code == "import-refused", "\(refused.text)")
            #expect(refused.errorFields == ["updates[1].dealId", "updates[2].roomId", "updates[2].dealId", "updates[3].roomId", "updates[3].dealId",
                                            "updates[4].updateId", "updates[5].occurredAt", "updates[6].dealId", "updates[7].updateId"],
                    "\(refused.text)")
            // Each error names the line of its field.
            let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
            let subscribedLine = try #require(lines.firstIndex { $0.contains("<dealId>\(subscribed)</dealId>") }) + 1
            #expect(refused.errors.first?["line"] as? Int == subscribedLine, "\(refused.text)")
            // Another group's room and deal read as unknown ones.
            let messages = Dictionary(refused.errors.map { ($0["field"] as? String ?? "", $0["message"] as? String ?? "") }, uniquingKeysWith: { first, _ in first })
            #expect(messages["updates[3].roomId"] == messages["updates[2].roomId"] && messages["updates[3].dealId"] == "is not a deal you can reach")
            #expect((messages["updates[1].dealId"] ?? "").hasPrefix("is subscribed"))
            // Nothing stored: the good first update neither.
            let shown = try await call(client, .get, "/v1/rooms/\(room)/property-status", consultant)
            #expect(shown.items.compactMap { $0["updateId"] as? String } == ["PM-1"] && shown.string("current") == "handover_accepted", "\(shown.text)")

            // Refused by the XSD (a status outside the dictionary): 400 naming the line; not XML: 415; without deals.write: 403.
            let invalid = StatusUpdateXML.document([StatusUpdateXML(updateId: "PM-8", roomId: room, dealId: deal, status: "sold_again")])
            let line = try #require(invalid.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("sold_again") }) + 1
            let bad = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, invalid, answer: "property-status-outcomes-v1")
            #expect(bad.status == .badRequest && bad.errors.first?["line"] as? Int == line, "\(bad.text)")
            let json = try await IntegrationDocuments.post(client, Self.statusUpdates, property.token, "{}", answer: "property-status-outcomes-v1",
                                                           contentType: "application/json")
            #expect(json.status == .unsupportedMediaType)
            let valid = StatusUpdateXML.document([StatusUpdateXML(updateId: "PM-9", roomId: room, dealId: deal, status: "owner_moved_in")])
            let oa = try await integrationKey(world, at: riverside, [.dealsApprove, .dealsRead], name: "OA system")
            #expect(try await IntegrationDocuments.post(client, Self.statusUpdates, oa.token, valid, answer: "property-status-outcomes-v1").status == .forbidden)
            let cashier = try await signIn(client, "cashier")
            #expect(try await IntegrationDocuments.post(client, Self.statusUpdates, cashier, valid, answer: "property-status-outcomes-v1").status == .forbidden)
            #expect(try await call(client, .get, "/v1/rooms/\(room)/property-status", consultant).items.count == 1)
        }
        await world.database.close()
    }
}
