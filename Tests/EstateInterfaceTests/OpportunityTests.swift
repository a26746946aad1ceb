import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

/// Customers, users and rooms for opportunity tests, straight into the database.
extension IdentityWorld {
    func userID(_ username: String) async throws -> UUID {
        try await database.unitOfWork { work in
            try #require(try await work.users.credentials(groupCode: DemoData.groupCode, username: username)).user.id
        }
    }

    /// A property consultant of the demo group at `project` (password ``DemoData/password``).
    func consultant(_ username: String, displayName: String, at project: UUID) async throws -> UUID {
        let groupID = try await groupID()
        let hash = try await Self.fastHasher.hash(DemoData.password)
        return try await database.unitOfWork { work in
            let user = User(groupID: groupID, id: UUIDv7.make(), orgUnitID: project, username: username, displayName: displayName)
            try await work.users.insert(user, passwordHash: hash)
            _ = try await work.roles.grant(BuiltInRoles.propertyConsultant.code, userID: user.id, orgUnitID: project, groupID: groupID)
            return user.id
        }
    }

    /// A walk-in customer of `project` owned by `owner` (nil: in the public pool).
    func customer(_ name: String, project: UUID, owner: UUID?, createdBy: UUID) async throws -> UUID {
        let groupID = try await groupID()
        return try await database.unitOfWork { work in
            let customer = Customer(groupID: groupID, id: UUIDv7.make(), projectID: project, projectPath: [],
                                    profile: CustomerProfile(name: name, source: "walk_in"), ownerID: owner,
                                    pooledAt: owner == nil ? Date() : nil, createdBy: createdBy)
            try await work.customers.insert(customer)
            return customer.id
        }
    }

    /// A customer of `project` in the public pool with one opportunity (for the matrix tests).
    func customerWithOpportunity(at project: UUID) async throws -> (customer: UUID, opportunity: UUID) {
        let groupID = try await groupID()
        let creator = try await userID("property.consultant")
        let customer = try await self.customer("Matrix", project: project, owner: nil, createdBy: creator)
        return try await database.unitOfWork { work in
            let opportunity = Opportunity(groupID: groupID, id: UUIDv7.make(), customerID: customer, projectID: project, consultantID: nil)
            _ = try await work.opportunities.insert(opportunity, actor: AuditActor.system.historyText, note: nil)
            return (customer, opportunity.id)
        }
    }

    /// The customer's overall stage as stored.
    func customerStage(_ id: UUID) async throws -> String? {
        let groupID = try await groupID()
        return try await database.unitOfWork { work in try #require(try await work.customers.find(groupID: groupID, id: id)).stage }
    }

    /// A building `code` with rooms 101...10n at `project`.
    func rooms(at project: UUID, building code: String, count: Int) async throws -> [UUID] {
        let groupID = try await groupID()
        return try await database.unitOfWork { work in
            let building = Building(groupID: groupID, id: UUIDv7.make(), projectID: project, code: code, name: code)
            try await work.buildings.insert(building)
            let rooms = (1...count).map { index in
                Room(groupID: groupID, id: UUIDv7.make(), projectID: project, buildingID: building.id,
                     attributes: RoomAttributes(number: "10\(index)", floor: 1, stack: index))
            }
            try await work.rooms.insert(rooms)
            return rooms.map(\.id)
        }
    }
}

extension UUID {
    /// How the API writes an id in JSON.
    var jsonText: String { uuidString }
}

@Suite("Customers: opportunities and the pipeline")
struct OpportunityTests {
    static func stage(_ stage: String, reason: String? = nil, note: String? = nil) -> [String: Any] {
        var body: [String: Any] = ["stage": stage]
        if let reason { body["lostReason"] = reason }
        if let note { body["note"] = note }
        return body
    }

    @Test func createMoveLoseReopenWithHistoryAndCustomerStage() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let consultantID = try await world.userID("property.consultant")
        let customer = try await world.customer("Zhang San", project: riverside, owner: consultantID, createdBy: consultantID)
        let rooms = try await world.rooms(at: riverside, building: "t9", count: 2)
        let lakeRoom = try await world.rooms(at: lakeside, building: "l9", count: 1)[0]
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            let city = try await signIn(client, "city.sales.management")
            let path = "/v1/customers/\(customer)/opportunities"
            #expect(try await world.customerStage(customer) == nil)

            // A first visit in the customer's own project, made by its owner.
            let created = try await client.execute(uri: path, method: .post, headers: headers(consultant), body: try jsonBody([:])) { response in
                try expectConforms(response, to: "POST", "/v1/customers/{id}/opportunities")
                #expect(response.status == .created)
                #expect(response.headers[.eTag] == "\"1\"")
                return try response.jsonObject()
            }
            #expect(created["stage"] as? String == "first_visit")
            #expect(created["projectId"] as? String == riverside.jsonText)
            #expect(created["customerId"] as? String == customer.jsonText)
            #expect(created["consultantId"] as? String == consultantID.jsonText)
            #expect(created["roomId"] == nil)
            #expect(created["nextStages"] as? [String] == ["revisit", "intent", "reserved", "subscribed", "contracted", "lost"])
            let first = try #require(UUID(uuidString: created["id"] as? String ?? ""))
            #expect(try await world.customerStage(customer) == "first_visit")

            // One live opportunity per customer, project and room.
            let twice = try await call(client, .post, path, consultant, [:])
            #expect(twice.status == .conflict)
            #expect(twice.code == "opportunity-exists")
            #expect(twice.string("detail")?.contains(first.uuidString.lowercased()) == true)
            #expect(try await call(client, .post, path, consultant, ["projectId": riverside.uuidString]).code == "opportunity-exists")

            // A room of the project is a separate interest; a room elsewhere, a project out of reach, a bad stage are refused.
            let roomOne = try await call(client, .post, path, consultant, ["roomId": rooms[0].uuidString, "stage": "intent", "note": " saw it "])
            #expect(roomOne.status == .created, "\(roomOne.text)")
            #expect(roomOne.string("stage") == "intent")
            #expect(roomOne.string("roomId") == rooms[0].jsonText)
            let roomOneID = try roomOne.id()
            #expect(try await world.customerStage(customer) == "intent")
            #expect(try await call(client, .post, path, consultant, ["roomId": lakeRoom.uuidString]).errorFields == ["roomId"])
            #expect(try await call(client, .post, path, consultant, ["roomId": UUIDv7.make().uuidString]).errorFields == ["roomId"])
            #expect(try await call(client, .post, path, consultant, ["projectId": lakeside.uuidString]).errorFields == ["projectId"])
            #expect(try await call(client, .post, path, consultant, ["projectId": consultantID.uuidString]).errorFields == ["projectId"])
            #expect(try await call(client, .post, path, consultant, ["stage": "lost"]).errorFields == ["stage"])
            #expect(try await call(client, .post, path, consultant, ["stage": "bogus"]).errorFields == ["stage"])
            #expect(try await call(client, .post, path, consultant, ["note": String(repeating: "x", count: 501)]).errorFields == ["note"])
            #expect(try await call(client, .post, path, consultant, ["colour": "red"]).errorFields == ["colour"])
            // City sales management reaches lakeside too: the customer's interest in another project of the city.
            let lake = try await call(client, .post, path, city, ["projectId": lakeside.uuidString, "roomId": lakeRoom.uuidString])
            #expect(lake.status == .created, "\(lake.text)")
            #expect(lake.string("projectId") == lakeside.jsonText)
            #expect(lake.string("consultantId") == consultantID.jsonText, "the customer's owner, not the creator")

            // Stage moves: If-Match, forward with skips, never backward.
            let move = "/v1/opportunities/\(first)/stage"
            #expect(try await call(client, .post, move, consultant, Self.stage("intent")).status == .preconditionRequired)
            let intent = try await client.execute(uri: move, method: .post, headers: headers(consultant, ifMatch: "\"1\""),
                                                  body: try jsonBody(Self.stage("intent"))) { response in
                try expectConforms(response, to: "POST", "/v1/opportunities/{id}/stage")
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"2\"")
                return try response.jsonObject()
            }
            #expect(intent["stage"] as? String == "intent")
            #expect(intent["version"] as? Int == 2)
            let stale = try await call(client, .post, move, consultant, Self.stage("reserved"), ifMatch: "\"1\"")
            #expect(stale.status == .preconditionFailed)
            let backward = try await client.execute(uri: move, method: .post, headers: headers(consultant, ifMatch: "\"2\""),
                                                    body: try jsonBody(Self.stage("revisit"))) { response in
                try expectConforms(response, to: "POST", "/v1/opportunities/{id}/stage")
                return try response.jsonObject()
            }
            #expect(backward["status"] as? Int == 409)
            #expect(backward["code"] as? String == "illegal-stage-change")
            #expect(backward["currentStage"] as? String == "intent")
            #expect(try await call(client, .post, move, consultant, Self.stage("intent"), ifMatch: "\"2\"").code == "illegal-stage-change")

            // Lost needs a reason from the group's lost_reasons dictionary, and only lost takes one.
            #expect(try await call(client, .post, move, consultant, Self.stage("lost"), ifMatch: "\"2\"").errorFields == ["lostReason"])
            #expect(try await call(client, .post, move, consultant, Self.stage("lost", reason: "weather"), ifMatch: "\"2\"").errorFields == ["lostReason"])
            #expect(try await call(client, .post, move, consultant, Self.stage("lost", reason: "Price"), ifMatch: "\"2\"").errorFields == ["lostReason"])
            #expect(try await call(client, .post, move, consultant, Self.stage("reserved", reason: "price"), ifMatch: "\"2\"").errorFields == ["lostReason"])
            #expect(try await call(client, .post, move, consultant, ["lostReason": "price"], ifMatch: "\"2\"").errorFields == ["stage"])
            // A bad body is a 400 even with a stale version.
            #expect(try await call(client, .post, move, consultant, Self.stage("lost"), ifMatch: "\"1\"").status == .badRequest)
            let lost = try await call(client, .post, move, consultant, Self.stage("lost", reason: "price", note: "  too dear  "), ifMatch: "\"2\"")
            #expect(lost.status == .ok, "\(lost.text)")
            #expect(lost.string("stage") == "lost")
            #expect(lost.string("lostReason") == "price")
            #expect(lost.string("lostNote") == "too dear")
            #expect(lost.body["nextStages"] as? [String] == ["first_visit", "revisit", "intent"])
            // The room opportunity is still at intent; the lakeside one at first visit.
            #expect(try await world.customerStage(customer) == "intent")
            let roomLost = try await call(client, .post, "/v1/opportunities/\(roomOneID)/stage", consultant,
                                          Self.stage("lost", reason: "location"), ifMatch: "\"1\"")
            #expect(roomLost.status == .ok, "\(roomLost.text)")
            #expect(try await world.customerStage(customer) == "first_visit")
            let lakeLost = try await call(client, .post, "/v1/opportunities/\(try lake.id())/stage", city,
                                          Self.stage("lost", reason: "competitor"), ifMatch: "\"1\"")
            #expect(lakeLost.status == .ok, "\(lakeLost.text)")
            #expect(try await world.customerStage(customer) == "lost", "every opportunity lost")

            // A lost opportunity cannot go straight to a deal stage, but reopens at revisit.
            #expect(try await call(client, .post, move, consultant, Self.stage("reserved"), ifMatch: "\"3\"").code == "illegal-stage-change")
            #expect(try await call(client, .post, move, consultant, Self.stage("lost", reason: "location"), ifMatch: "\"3\"").code == "illegal-stage-change")
            let reopened = try await call(client, .post, move, consultant, Self.stage("revisit", note: "came back"), ifMatch: "\"3\"")
            #expect(reopened.status == .ok, "\(reopened.text)")
            #expect(reopened.string("lostReason") == nil)
            #expect(reopened.string("lostNote") == nil)
            #expect(reopened.etag == "\"4\"")
            #expect(try await world.customerStage(customer) == "revisit")
            // Reopening is refused while another live opportunity for the same project and room exists.
            #expect(try await call(client, .post, path, consultant, [:]).code == "opportunity-exists")
            // Forward to contracted skipping stages; a won opportunity no longer blocks a new one.
            #expect(try await call(client, .post, move, consultant, Self.stage("contracted"), ifMatch: "\"4\"").status == .ok)
            #expect(try await world.customerStage(customer) == "contracted")
            let again = try await call(client, .post, path, consultant, [:])
            #expect(again.status == .created, "\(again.text)")
            #expect(try await world.customerStage(customer) == "contracted", "the furthest stage wins")

            // One opportunity; its history oldest first.
            let one = try await client.execute(uri: "/v1/opportunities/\(first)", method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/opportunities/{id}")
                #expect(response.headers[.eTag] == "\"5\"")
                return try response.jsonObject()
            }
            #expect(one["stage"] as? String == "contracted")
            let history = try await client.execute(uri: "/v1/opportunities/\(first)/history", method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/opportunities/{id}/history")
                return try #require(try response.jsonObject()["items"] as? [[String: Any]])
            }
            #expect(history.map { $0["from"] as? String ?? "-" } == ["-", "first_visit", "intent", "lost", "revisit"])
            #expect(history.map { $0["to"] as? String } == ["first_visit", "intent", "lost", "revisit", "contracted"])
            #expect(history.map { $0["lostReason"] as? String ?? "-" } == ["-", "-", "price", "-", "-"])
            #expect(history.map { $0["note"] as? String ?? "-" } == ["-", "-", "too dear", "came back", "-"])
            #expect(history.allSatisfy { ($0["actor"] as? String) == "user:\(consultantID.uuidString.lowercased())" }, "\(history)")

            // The customer's opportunities in the order they were made, paginated.
            let all = try await client.execute(uri: path, method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/customers/{id}/opportunities")
                return try #require(try response.jsonObject()["items"] as? [[String: Any]])
            }
            #expect(all.map { $0["stage"] as? String } == ["contracted", "lost", "lost", "first_visit"])
            let page1 = try await call(client, .get, "\(path)?limit=3", consultant)
            #expect(page1.items.count == 3)
            let cursor = try #require(page1.string("nextCursor"))
            let page2 = try await call(client, .get, "\(path)?limit=3&cursor=\(cursor)", consultant)
            #expect(page2.items.map { $0["id"] as? String } == [try again.id().jsonText])
            #expect(page2.string("nextCursor") == nil)
            #expect(try await call(client, .get, "\(path)?limit=0", consultant).errorFields == ["limit"])

            // Every change is audited.
            let admin = try await signIn(client, "system.administrator")
            let audit = try await call(client, .get, "/v1/audit-entries?limit=500", admin)
            let actions = audit.items.compactMap { $0["action"] as? String }
            #expect(actions.filter { $0 == "opportunity.create" }.count == 4)
            #expect(actions.filter { $0 == "opportunity.stage" }.count == 6)
        }
        // The stage history is append-only.
        await #expect(throws: PQError.self) { try await world.sql("UPDATE opportunity_stage_history SET note = 'rewritten'") }
        await #expect(throws: PQError.self) { try await world.sql("DELETE FROM opportunity_stage_history") }
        await world.database.close()
    }

    @Test func reachSharesAndPermissions() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let groupID = try await world.groupID()
        let mine = try await world.userID("property.consultant")
        let colleague = try await world.consultant("second.consultant", displayName: "Second Consultant", at: riverside)
        let theirs = try await world.customer("Li Si", project: riverside, owner: colleague, createdBy: colleague)
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            let second = try await signIn(client, "second.consultant")
            let manager = try await signIn(client, "sales.manager")
            let cashier = try await signIn(client, "cashier")
            let controller = try await signIn(client, "sales.controller")
            let other = try await signIn(client, "admin", group: "other")
            let path = "/v1/customers/\(theirs)/opportunities"
            let made = try await call(client, .post, path, second, [:])
            #expect(made.status == .created, "\(made.text)")
            let id = try made.id()
            let move = "/v1/opportunities/\(id)/stage"

            // Another consultant's customer is not there for me, nor for another group.
            for token in [consultant, other] {
                #expect(try await call(client, .get, path, token).status == .notFound)
                #expect(try await call(client, .post, path, token, [:]).status == .notFound)
                #expect(try await call(client, .get, "/v1/opportunities/\(id)", token).status == .notFound)
                #expect(try await call(client, .get, "/v1/opportunities/\(id)/history", token).status == .notFound)
                #expect(try await call(client, .post, move, token, Self.stage("intent"), ifMatch: "\"1\"").status == .notFound)
            }
            #expect(try await call(client, .get, "/v1/opportunities/\(UUIDv7.make())", manager).status == .notFound)
            // The sales controller holds no customer permission at all; the cashier reads but does not write.
            #expect(try await call(client, .get, "/v1/opportunities/\(id)", controller).status == .forbidden)
            #expect(try await call(client, .get, "/v1/opportunities/\(id)", cashier).status == .ok)
            #expect(try await call(client, .get, path, cashier).items.count == 1)
            #expect(try await call(client, .post, move, cashier, Self.stage("intent"), ifMatch: "\"1\"").status == .forbidden)
            #expect(try await call(client, .post, path, cashier, ["projectId": riverside.uuidString]).status == .forbidden)

            // Shared read-only: I see it, but cannot change stages or add opportunities.
            try await world.sql("""
                INSERT INTO customer_shares (group_id, customer_id, user_id, access, granted_by)
                VALUES (\(groupID), \(theirs), \(mine), 'read', \(colleague))
                """)
            #expect(try await call(client, .get, "/v1/opportunities/\(id)", consultant).status == .ok)
            #expect(try await call(client, .get, "/v1/opportunities/\(id)/history", consultant).items.count == 1)
            #expect(try await call(client, .get, path, consultant).items.count == 1)
            let refused = try await call(client, .post, move, consultant, Self.stage("intent"), ifMatch: "\"1\"")
            #expect(refused.status == .forbidden)
            #expect(refused.code == "forbidden")
            #expect(try await call(client, .post, path, consultant, ["roomId": UUIDv7.make().uuidString]).status == .forbidden)
            #expect(try await call(client, .get, "/v1/opportunities/\(id)", second).string("stage") == "first_visit")

            // As a collaborator I may.
            try await world.sql("UPDATE customer_shares SET access = 'write' WHERE customer_id = \(theirs) AND user_id = \(mine)")
            let moved = try await call(client, .post, move, consultant, Self.stage("revisit"), ifMatch: "\"1\"")
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.string("consultantId") == colleague.jsonText, "still the owner's opportunity")
            // The manager sees and moves every customer's opportunities of the project.
            #expect(try await call(client, .post, move, manager, Self.stage("intent"), ifMatch: "\"2\"").status == .ok)
            #expect(try await world.customerStage(theirs) == "intent")
        }
        await world.database.close()
    }

    @Test func pipelineCountsForManagersAndConsultants() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let anna = try await world.userID("property.consultant")
        let managerID = try await world.userID("sales.manager")
        let bert = try await world.consultant("bert.consultant", displayName: "Bert Consultant", at: riverside)
        let rooms = try await world.rooms(at: riverside, building: "t8", count: 2)
        let c1 = try await world.customer("C1", project: riverside, owner: anna, createdBy: anna)
        let c2 = try await world.customer("C2", project: riverside, owner: anna, createdBy: anna)
        let c3 = try await world.customer("C3", project: riverside, owner: anna, createdBy: anna)
        let c4 = try await world.customer("C4", project: riverside, owner: bert, createdBy: bert)
        let c5 = try await world.customer("C5", project: riverside, owner: bert, createdBy: bert)
        let pooled = try await world.customer("C6", project: riverside, owner: nil, createdBy: managerID)
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            let second = try await signIn(client, "bert.consultant")
            let manager = try await signIn(client, "sales.manager")
            let cashier = try await signIn(client, "cashier")
            let city = try await signIn(client, "city.sales.management")
            func create(_ customer: UUID, _ token: String, _ body: [String: Any] = [:]) async throws -> UUID {
                let reply = try await call(client, .post, "/v1/customers/\(customer)/opportunities", token, body)
                #expect(reply.status == .created, "\(reply.text)")
                return try reply.id()
            }
            func move(_ id: UUID, _ token: String, _ body: [String: Any], from version: Int) async throws {
                let reply = try await call(client, .post, "/v1/opportunities/\(id)/stage", token, body, ifMatch: "\"\(version)\"")
                #expect(reply.status == .ok, "\(reply.text)")
            }
            // Anna: a first visit, an intent, a lost one (price).
            let a1 = try await create(c1, consultant)
            let a2 = try await create(c2, consultant, ["stage": "intent"])
            let a3 = try await create(c3, consultant, ["stage": "revisit"])
            try await move(a3, consultant, Self.stage("lost", reason: "price"), from: 1)
            // Bert: contracted, first visit, revisit (a room), lost (location, the other room) — one of them made by the manager.
            let b1 = try await create(c4, second)
            try await move(b1, second, Self.stage("reserved"), from: 1)
            try await move(b1, manager, Self.stage("contracted"), from: 2)
            let b2 = try await create(c5, manager)
            let b3 = try await create(c5, second, ["roomId": rooms[0].uuidString, "stage": "revisit"])
            let b4 = try await create(c4, second, ["roomId": rooms[1].uuidString])
            try await move(b4, second, Self.stage("lost", reason: "location"), from: 1)
            // The pooled customer's opportunity has no consultant; a lakeside one counts elsewhere.
            let p1 = try await create(pooled, manager)
            let l1 = try await create(c1, city, ["projectId": lakeside.uuidString])

            let path = "/v1/projects/\(riverside)/pipeline"
            let all = try await client.execute(uri: path, method: .get, headers: headers(manager)) { response in
                try expectConforms(response, to: "GET", "/v1/projects/{id}/pipeline")
                #expect(response.status == .ok)
                return try response.jsonObject()
            }
            func counts(_ list: Any?) -> [Int] { (list as? [[String: Any]] ?? []).compactMap { $0["count"] as? Int } }
            func stages(_ list: Any?) -> [String] { (list as? [[String: Any]] ?? []).compactMap { $0["stage"] as? String } }
            #expect(all["reach"] as? String == "all")
            #expect(all["open"] as? Int == 6)
            #expect(stages(all["byStage"]) == ["first_visit", "revisit", "intent", "reserved", "subscribed", "contracted"])
            #expect(counts(all["byStage"]) == [3, 1, 1, 0, 0, 1])
            let consultants = all["byConsultant"] as? [[String: Any]] ?? []
            #expect(consultants.map { $0["consultantId"] as? String ?? "pool" } == [bert.jsonText, anna.jsonText, "pool"])
            #expect(consultants.map { $0["displayName"] as? String ?? "-" } == ["Bert Consultant", "Property consultant", "-"])
            #expect(consultants.map { $0["open"] as? Int } == [3, 2, 1])
            #expect(consultants.map { counts($0["byStage"]) } == [[1, 1, 0, 0, 0, 1], [1, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]])
            #expect(all["lost"] as? Int == 2)
            let reasons = all["lostByReason"] as? [[String: Any]] ?? []
            #expect(reasons.map { $0["reason"] as? String } == ["location", "price"])
            #expect(reasons.map { $0["label"] as? String } == ["Location", "Price"])
            #expect(counts(reasons) == [1, 1])
            // Back office (the cashier) sees the whole project too.
            let cashierView = try await call(client, .get, path, cashier)
            #expect(cashierView.body["open"] as? Int == 6)
            #expect(cashierView.string("reach") == "all")

            // A consultant sees only their own numbers.
            let own = try await call(client, .get, path, consultant)
            #expect(own.status == .ok, "\(own.text)")
            #expect(own.string("reach") == "own")
            #expect(own.body["open"] as? Int == 2)
            #expect(counts(own.body["byStage"]) == [1, 0, 1, 0, 0, 0])
            #expect((own.body["byConsultant"] as? [[String: Any]])?.map { $0["consultantId"] as? String } == [anna.jsonText])
            #expect(own.body["lost"] as? Int == 1)
            #expect((own.body["lostByReason"] as? [[String: Any]])?.map { $0["reason"] as? String } == ["price"])
            let bertsOwn = try await call(client, .get, path, second)
            #expect(bertsOwn.body["open"] as? Int == 3)
            #expect(counts(bertsOwn.body["byStage"]) == [1, 1, 0, 0, 0, 1])
            #expect(bertsOwn.body["lost"] as? Int == 1)

            // Lakeside: only the one made there.
            let lake = try await call(client, .get, "/v1/projects/\(lakeside)/pipeline", city)
            #expect(lake.body["open"] as? Int == 1)
            #expect(try await call(client, .get, "/v1/projects/\(lakeside)/pipeline", manager).status == .notFound)

            // Creation dates in the group's time zone (Asia/Shanghai, UTC+8): [from 00:00, to + 1 day 00:00).
            func created(_ id: UUID, _ at: String) async throws {
                try await world.sql("UPDATE opportunities SET created_at = \(at)::timestamptz WHERE id = \(id)")
            }
            for id in [a1, a2, a3, b1, b2, b3, b4, p1, l1] { try await created(id, "2026-03-05 12:00:00+08") }
            try await created(a1, "2026-02-28 23:30:00+08")  // 15:30 UTC on the 28th
            try await created(b2, "2026-03-01 00:10:00+08")  // 16:10 UTC on the 28th
            let february = try await call(client, .get, "\(path)?to=2026-02-28", manager)
            #expect(february.body["open"] as? Int == 1, "\(february.text)")
            #expect(february.string("to") == "2026-02-28")
            #expect((february.body["byConsultant"] as? [[String: Any]])?.first?["consultantId"] as? String == anna.jsonText)
            let firstOfMarch = try await call(client, .get, "\(path)?from=2026-03-01&to=2026-03-01", manager)
            #expect(firstOfMarch.body["open"] as? Int == 1)
            #expect((firstOfMarch.body["byConsultant"] as? [[String: Any]])?.first?["consultantId"] as? String == bert.jsonText)
            #expect(try await call(client, .get, "\(path)?from=2026-03-01", manager).body["open"] as? Int == 5)
            #expect(try await call(client, .get, "\(path)?from=2026-03-05", manager).body["lost"] as? Int == 2)
            #expect(try await call(client, .get, "\(path)?from=2026-03-06", manager).body["open"] as? Int == 0)
            #expect((try await call(client, .get, "\(path)?from=2026-03-06", manager).body["lostByReason"] as? [Any])?.isEmpty == true)
            #expect(try await call(client, .get, "\(path)?to=2026-02-28", consultant).body["open"] as? Int == 1)
            #expect(try await call(client, .get, "\(path)?to=2026-02-28", second).body["open"] as? Int == 0)

            // Bad dates, out of reach, without the permission.
            #expect(try await call(client, .get, "\(path)?from=2026-02-30", manager).errorFields == ["from"])
            #expect(try await call(client, .get, "\(path)?to=yesterday", manager).errorFields == ["to"])
            let controller = try await signIn(client, "sales.controller")
            #expect(try await call(client, .get, path, controller).status == .forbidden)
            let other = try await signIn(client, "admin", group: "other")
            #expect(try await call(client, .get, path, other).status == .notFound)
        }
        await world.database.close()
    }
}
