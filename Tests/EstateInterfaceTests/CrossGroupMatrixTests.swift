import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Walks every registered route that takes an object id and calls it, as the administrator of
/// another group, with the ids of the demo group's objects: every answer must be 404, the same as
/// for an id that exists nowhere, and nothing may change.
@Suite("No leaks between groups")
struct CrossGroupMatrixTests {
    /// A well-formed body for each route with an id that takes one, so that the answer is about the object.
    static func validBodies(parent: UUID) -> [String: [String: Any]] {
        [
            "PATCH /v1/org-units/{id}": ["name": "Taken over"],
            "POST /v1/org-units/{id}/move": ["parentId": parent.uuidString],
            "PATCH /v1/users/{id}": ["displayName": "Taken over"],
            "POST /v1/users/{id}/reset-password": ["password": "taken over passphrase"],
            "POST /v1/users/{id}/grants": ["role": "system_administrator", "orgUnitId": parent.uuidString],
            "POST /v1/projects/{id}/phases": ["code": "px", "name": "Taken over"],
            "POST /v1/projects/{id}/buildings": ["code": "tx", "name": "Taken over"],
            "PATCH /v1/buildings/{id}": ["name": "Taken over"],
            "POST /v1/buildings/{id}/rooms": ["number": "X1", "floor": 1, "stack": 1],
            "PATCH /v1/rooms/{id}": ["view": "taken over"],
            "POST /v1/rooms/{id}/hold": ["reason": "taken over", "until": APIKeyTests.inAWeek()],
            "POST /v1/rooms/{id}/price": ["unitPrice": "1.00", "reason": "taken over"],
            "POST /v1/projects/{id}/buildings/generate": ["code": "tx", "name": "Taken over", "highestFloor": 1, "roomsPerFloor": 1,
                                                         "numbering": "{floor}{index:02}", "stacks": [["builtArea": "50"]]],
            "POST /v1/projects/{id}/room-imports": ["rooms": [["externalCode": "x1", "building": "t1", "number": "x1", "floor": 1, "stack": 1]]],
            "POST /v1/projects/{id}/discount-schemes": ["code": "taken-over", "name": "Taken over", "kind": "percentage", "percent": "1",
                                                        "stackingOrder": 1],
            "PATCH /v1/discount-schemes/{id}": ["name": "Taken over"],
            // Customers
            "POST /v1/projects/{id}/customers": ["name": "Taken over", "source": "walk_in"],
            "POST /v1/projects/{id}/customer-imports": ["customers": [["externalId": "taken-over", "name": "Taken over", "source": "walk_in",
                                                                       "owner": "admin"]]],
            "PATCH /v1/customers/{id}": ["notes": "Taken over"],
            "POST /v1/customers/{id}/approval": ["decision": "approve"],
            "POST /v1/customers/{id}/follow-ups": ["kind": "visit", "content": "Taken over"],
            "POST /v1/customers/{id}/merge": ["duplicateId": "01890000-0000-7000-8000-000000000000"],
            "PATCH /v1/duplicate-rules/{id}": ["name": "Taken over"],
            "POST /v1/customers/{id}/opportunities": [:],
            "POST /v1/opportunities/{id}/stage": ["stage": "intent"],
            "POST /v1/tasks/{id}/reschedule": ["dueOn": "2030-01-01"],
            "POST /v1/tasks/{id}/reassign": ["assigneeId": parent.uuidString],
            "PUT /v1/customers/{id}/shares/{userId}": ["access": "write"],
            // Deals
            "POST /v1/deals/{id}/subscribe": ["subscription": ["paymentMethod": "full"]],
            "PATCH /v1/webhooks/{id}": ["active": false],
            "POST /v1/deals/{id}/collections": ["method": "cash", "amount": "100.00"],
            "POST /v1/deals/{id}/refunds": ["method": "cash", "amount": "1.00", "reason": "matrix"],
            "POST /v1/deals/{id}/invoices": ["number": "MATRIX-1", "amount": "100.00", "issuedOn": "2026-01-01"],
            "POST /v1/receipts/{id}/void": ["reason": "matrix"],
            "POST /v1/invoices/{id}/void": ["reason": "matrix"],
            "POST /v1/deals/{id}/change-requests": ["kind": "change_buyers", "reason": "Taken over", "buyers": [["customerId": parent.uuidString]]],
            "POST /v1/change-requests/{id}/approve": ["note": "Taken over"],
            "POST /v1/change-requests/{id}/reject": ["note": "Taken over"],
            "POST /v1/deals/{id}/contract": ["date": "2026-01-05", "contractNumber": "HT-1", "filingNumber": "YS-1"],
            "POST /v1/deals/{id}/apply-for-mortgage": ["date": "2026-01-05", "bank": "ICBC", "loanAmount": "100000", "termMonths": 120],
            "POST /v1/deals/{id}/approve-mortgage": ["date": "2026-01-05", "approvedAmount": "100000"],
            "POST /v1/deals/{id}/receive-mortgage-funds": ["date": "2026-01-05", "amount": "100000"],
            "POST /v1/deals/{id}/settle-area": ["date": "2026-01-05", "actualArea": "90"],
            "POST /v1/deals/{id}/send-move-in-notice": ["date": "2026-01-05"],
            "POST /v1/deals/{id}/inspect": ["date": "2026-01-05"],
            "POST /v1/deals/{id}/hand-over-keys": ["date": "2026-01-05"],
            "POST /v1/deals/{id}/hand-over-to-property-management": ["date": "2026-01-05"],
            "POST /v1/deals/{id}/register-title": ["date": "2026-01-05", "certificateNumber": "C-1"],
            "POST /v1/deals/{id}/register-mortgage": ["date": "2026-01-05"],
            "POST /v1/deals/{id}/complete": ["date": "2026-01-05"],
        ].merging(QuestionnaireFixtures.matrixBodies) { first, _ in first }
    }

    /// A customer, a project duplicate rule at `unit`, a reserved deal of the customer for `room` and a
    /// pending change request of the deal, straight into the database (any owner will do).
    static func customerObjects(_ world: IdentityWorld, at unit: UUID, owner: UUID, room: UUID) async throws -> [String: String] {
        let groupID = try await world.groupID()
        return try await world.database.unitOfWork { work in
            let project = try #require(try await work.orgUnits.find(groupID: groupID, id: unit))
            let customer = Customer(groupID: groupID, id: UUIDv7.make(), projectID: unit, projectPath: project.path,
                                    profile: CustomerProfile(name: "Matrix", source: "walk_in"), ownerID: owner, createdBy: owner)
            try await work.customers.insert(customer)
            let rule = DuplicateRule(id: UUIDv7.make(), projectID: unit, name: "Phone", fieldSets: [[.phone]], action: .warn, active: true)
            try await work.duplicateRules.insert(StoredDuplicateRule(groupID: groupID, rule: rule))
            let deal = Deal(groupID: groupID, id: UUIDv7.make(), projectID: unit, projectPath: project.path, roomID: room, ownerID: owner,
                            stage: .reserved, buyers: [DealBuyer(customerID: customer.id, shareBasisPoints: 10_000)],
                            deposit: Deposit(kind: .intent, amount: Money(yuan: 1000)), reservedUntil: Date().addingTimeInterval(86_400),
                            pricing: nil, subscribedOn: nil, createdBy: "system")
            try await work.deals.insert(deal)
            // Its deposit line, a collection on it with its receipt, and an invoice.
            let line = try await work.deals.addReceivables(groupID: groupID, dealID: deal.id, [
                ScheduleLine(kind: .deposit, dueDate: try #require(LocalDate("2026-01-01")), amount: Money(yuan: 1000))])[0]
            let collection = StoredCollection(groupID: groupID, id: UUIDv7.make(), dealID: deal.id, projectID: unit, method: .cash,
                                              amount: Money(yuan: 100), foreign: nil, rate: nil, rateDate: nil,
                                              receivedOn: try #require(LocalDate("2026-01-01")), payer: nil, reference: nil, toCredit: .zero,
                                              recordedBy: "system", recordedAt: Date())
            try await work.collections.insert(collection, allocations: [Allocation(lineID: line.line.id, amount: Money(yuan: 100))])
            let receipt = try await work.receipts.issue(for: collection, prefix: "MATRIX", timeZone: TimeZone(identifier: "UTC")!, issuedBy: "system")
            let invoice = StoredInvoice(groupID: groupID, id: UUIDv7.make(), projectID: unit, dealID: deal.id, number: "SEED-1",
                                        amount: Money(yuan: 100), issuedOn: try #require(LocalDate("2026-01-01")), recordedBy: "system",
                                        recordedAt: Date())
            try await work.invoices.insert(invoice)
            let request = UUIDv7.make()
            try await work.changeRequests.insert(NewChangeRequest(groupID: groupID, id: request, dealID: deal.id, kind: .changeBuyers, reason: "Matrix",
                                                                  payload: ["buyers": [customer.id]], requestedBy: "system",
                                                                  before: [String: String](), after: [String: String]()))
            return ["/v1/customers/": customer.id.uuidString, "/v1/duplicate-rules/": rule.id.uuidString, "/v1/deals/": deal.id.uuidString,
                    "/v1/receipts/": receipt.id.uuidString, "/v1/invoices/": invoice.id.uuidString, "/v1/change-requests/": request.uuidString]
        }
    }

    @Test func everyRouteWithAnIdAnswers404ToAnotherGroup() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            // One object of each kind in the demo group.
            let user = try await client.execute(uri: "/v1/users?limit=1", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                try #require(((try json(response.body)["items"] as? [[String: Any]])?.first?["id"] as? String))
            }
            let key = try await client.execute(uri: "/v1/api-keys", method: .post, headers: headers(admin),
                                               body: try jsonBody(["name": "k", "orgUnitId": riverside.uuidString, "permissions": ["org.read"],
                                                                   "expiresAt": APIKeyTests.inAWeek()])) { (response: TestResponse) throws in
                try #require(try json(response.body)["id"] as? String)
            }
            let grant = try await client.execute(uri: "/v1/users/\(user)/grants", method: .post, headers: headers(admin),
                                                 body: try jsonBody(["role": "system_administrator", "orgUnitId": riverside.uuidString])) { (response: TestResponse) throws in
                try #require(try json(response.body)["id"] as? String)
            }
            let controller = try await signIn(client, "sales.controller")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let room = try #require(try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: 1)["101"])
            let priceList = try await call(client, .post, "/v1/price-lists", controller, [
                "name": "v1", "run": ["projectId": riverside.uuidString, "base": "30000"]])
            let priceListID = try #require((priceList.body["priceList"] as? [String: Any])?["id"] as? String, "\(priceList.text)")
            let scheme = try await client.execute(uri: "/v1/projects/\(riverside)/discount-schemes", method: .post, headers: headers(controller),
                                                  body: try jsonBody(["code": "full", "name": "Full payment", "kind": "percentage",
                                                                      "percent": "2", "stackingOrder": 1])) { (response: TestResponse) throws in
                try #require(try json(response.body)["id"] as? String)
            }
            let customerObjects = try await Self.customerObjects(world, at: riverside, owner: try #require(UUID(uuidString: user)), room: room)
            let (_, opportunity) = try await world.customerWithOpportunity(at: riverside)
            let task = try await call(client, .post, "/v1/tasks", try await signIn(client, "sales.manager"),
                                      ["title": "Matrix task", "dueOn": TaskAPITests.tomorrowInShanghai()]).id().uuidString
            let questionnaire = try await world.database.unitOfWork { work in
                try await QuestionnaireFixtures.questionnaire(work, groupID: try await world.groupID(), project: riverside, code: "matrix")
            }
            let (webhook, delivery) = try await WebhookFixture.objects(world, room: room)
            let ids = ["id": "", "grantId": grant, "userId": user, "deliveryId": delivery.uuidString]
            func objectID(for path: String) -> String {
                if path.hasPrefix("/v1/questionnaires/") { return questionnaire.uuidString }
                if let prefix = customerObjects.keys.first(where: { path.hasPrefix($0) }) { return customerObjects[prefix]! }
                if path.hasPrefix("/v1/org-units/") || path.hasPrefix("/v1/projects/") { return riverside.uuidString }
                if path.hasPrefix("/v1/buildings/") { return building.uuidString }
                if path.hasPrefix("/v1/rooms/") { return room.uuidString }
                if path.hasPrefix("/v1/price-lists/") { return priceListID }
                if path.hasPrefix("/v1/discount-schemes/") { return scheme }
                if path.hasPrefix("/v1/users/") { return user }
                if path.hasPrefix("/v1/api-keys/") { return key }
                if path.hasPrefix("/v1/opportunities/") { return opportunity.uuidString }
                if path.hasPrefix("/v1/tasks/") { return task }
                if path.hasPrefix("/v1/webhooks/") { return webhook.uuidString }
                return ""
            }
            let bodies = Self.validBodies(parent: world.otherGroupUnit)
            let routes = try await Harness.withRouteTable { $0.descriptors }.filter { $0.path.contains("{id}") }
            #expect(routes.count >= 10)
            let other = try await signIn(client, "admin", group: "other")
            let auditBefore = try await client.execute(uri: "/v1/audit-entries?limit=500", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                ((try json(response.body)["items"] as? [Any]) ?? []).count
            }
            for route in routes {
                var uri = route.path.replacingOccurrences(of: "{id}", with: objectID(for: route.path))
                for (name, value) in ids where !value.isEmpty { uri = uri.replacingOccurrences(of: "{\(name)}", with: value) }
                let body = try bodies[route.description].map(jsonBody)
                try await client.execute(uri: uri, method: route.method, headers: headers(other, ifMatch: "\"1\""), body: body) { (response: TestResponse) throws in
                    #expect(response.status == .notFound, "\(route) as another group: \(response.status) \(String(buffer: response.body))")
                    #expect(try json(response.body)["detail"] as? String == "No such resource.", "\(route)")
                }
            }
            // Nothing changed: no audit entries were added to the demo group.
            let auditAfter = try await client.execute(uri: "/v1/audit-entries?limit=500", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                ((try json(response.body)["items"] as? [Any]) ?? []).count
            }
            #expect(auditAfter == auditBefore)
        }
        await world.database.close()
    }
}

/// Inside one group: every route with an object id, called by a caller who cannot see the object
/// (404), who sees it without the route's permission (403), and who sees it with the permission.
@Suite("Authorization matrix inside a group")
struct InGroupMatrixTests {
    @Test func notVisibleIs404VisibleWithoutPermissionIs403() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            // Objects at each project: a user, an API key, a grant.
            func objects(at unit: UUID, name: String) async throws -> [String: String] {
                let user = try await client.execute(uri: "/v1/users", method: .post, headers: headers(admin),
                                                    body: try jsonBody(["orgUnitId": unit.uuidString, "username": name, "displayName": name,
                                                                        "password": "matrix passphrase 1"])) { (response: TestResponse) throws in
                    try #require(try json(response.body)["id"] as? String)
                }
                let key = try await client.execute(uri: "/v1/api-keys", method: .post, headers: headers(admin),
                                                   body: try jsonBody(["name": name, "orgUnitId": unit.uuidString, "permissions": ["org.read"],
                                                                       "expiresAt": APIKeyTests.inAWeek()])) { (response: TestResponse) throws in
                    try #require(try json(response.body)["id"] as? String)
                }
                let grant = try await client.execute(uri: "/v1/users/\(user)/grants", method: .post, headers: headers(admin),
                                                     body: try jsonBody(["role": "system_administrator", "orgUnitId": unit.uuidString])) { (response: TestResponse) throws in
                    try #require(try json(response.body)["id"] as? String)
                }
                // A building and a room of the project, straight into the database (no demo user may build at lakeside).
                let (building, room) = try await world.database.unitOfWork { work -> (UUID, UUID) in
                    let project = try #require(try await work.orgUnits.find(groupID: try await world.groupID(), id: unit))
                    let building = Building(groupID: project.groupID, id: UUIDv7.make(), projectID: unit, code: name, name: name)
                    try await work.buildings.insert(building)
                    let room = Room(groupID: project.groupID, id: UUIDv7.make(), projectID: unit, buildingID: building.id,
                                    attributes: RoomAttributes(number: "101", floor: 1, stack: 1))
                    try await work.rooms.insert([room])
                    return (building.id, room.id)
                }
                let priceList = try await world.database.unitOfWork { work -> UUID in
                    let list = PriceList(groupID: try await world.groupID(), id: UUIDv7.make(), projectID: unit, version: 1, name: name,
                                         run: "{}", baseUnitPrice: .zero, roomCount: 0, total: .zero, publishedBy: "system")
                    try await work.prices.insert(list, prices: [])
                    return list.id
                }
                let scheme = try await world.database.unitOfWork { work -> UUID in
                    let scheme = StoredDiscountScheme(groupID: try await world.groupID(), projectID: unit, scheme: DiscountScheme(
                        id: UUIDv7.make(), code: "full", name: "Full payment", kind: .percentage(basisPoints: 200)))
                    try await work.discountSchemes.insert(scheme)
                    return scheme.id
                }
                let task = try await world.database.unitOfWork { work -> UUID in
                    let task = WorkTask(groupID: try await world.groupID(), id: UUIDv7.make(), title: name, orgUnitID: unit,
                                        assigneeID: try #require(UUID(uuidString: user)), createdBy: nil, dueOn: try #require(LocalDate("2030-01-01")))
                    try await work.tasks.insert(task, actor: "system")
                    return task.id
                }
                let (_, opportunity) = try await world.customerWithOpportunity(at: unit)
                let questionnaire = try await world.database.unitOfWork { work in
                    try await QuestionnaireFixtures.questionnaire(work, groupID: try await world.groupID(), project: unit, code: "matrix")
                }
                let customers = try await CrossGroupMatrixTests.customerObjects(world, at: unit, owner: try #require(UUID(uuidString: user)), room: room)
                let (webhook, delivery) = try await WebhookFixture.objects(world, room: room)
                return ["/v1/webhooks/": webhook.uuidString, "delivery": delivery.uuidString, "/v1/org-units/": unit.uuidString, "/v1/projects/": unit.uuidString, "/v1/users/": user, "/v1/api-keys/": key,
                        "/v1/buildings/": building.uuidString, "/v1/rooms/": room.uuidString,
                        "/v1/price-lists/": priceList.uuidString, "/v1/discount-schemes/": scheme.uuidString,
                        "/v1/questionnaires/": questionnaire.uuidString, "grant": grant]
                    .merging(customers) { old, _ in old }
                    .merging(["/v1/opportunities/": opportunity.uuidString, "/v1/tasks/": task.uuidString]) { old, _ in old }
            }
            let lake = try await objects(at: lakeside, name: "lake.admin")
            let river = try await objects(at: riverside, name: "river.admin")
            func uri(_ route: RouteDescriptor, _ objects: [String: String]) -> String {
                let prefix = objects.keys.first { route.path.hasPrefix($0) } ?? ""
                return route.path.replacingOccurrences(of: "{id}", with: objects[prefix] ?? "")
                    .replacingOccurrences(of: "{grantId}", with: objects["grant"] ?? "")
                    .replacingOccurrences(of: "{userId}", with: objects["/v1/users/"] ?? "")
                    .replacingOccurrences(of: "{deliveryId}", with: objects["delivery"] ?? "")
            }
            let routes = try await Harness.withRouteTable { $0.descriptors }.filter { $0.path.contains("{id}") }
            let riverAdmin = try await signIn(client, "river.admin", password: "matrix passphrase 1")
            let cashier = try await signIn(client, "cashier")
            let cashierCan = BuiltInRoles.named("cashier")!.permissions
            let adminCan = BuiltInRoles.named("system_administrator")!.permissions
            let bodies = CrossGroupMatrixTests.validBodies(parent: riverside)
            for route in routes {
                let body = try bodies[route.description].map(jsonBody)
                // The riverside administrator cannot see lakeside's objects (routes needing a permission
                // the role lacks everywhere are refused before any object is looked at).
                let needed = route.access.permissions
                let adminLacks = !needed.isEmpty && !needed.contains(where: adminCan.contains)
                try await client.execute(uri: uri(route, lake), method: route.method, headers: headers(riverAdmin, ifMatch: "\"1\""),
                                         body: body) { (response: TestResponse) throws in
                    #expect(response.status == (adminLacks ? .forbidden : .notFound),
                            "\(route) on lakeside as the riverside administrator: \(response.status)")
                }
                // The riverside cashier sees riverside's objects; what she may do there decides 403 or not.
                guard !needed.isEmpty else { continue }
                try await client.execute(uri: uri(route, river), method: route.method, headers: headers(cashier, ifMatch: "\"1\""),
                                         body: body) { (response: TestResponse) throws in
                    if needed.contains(where: cashierCan.contains) {
                        #expect(response.status != .forbidden && response.status != .notFound, "\(route) as the cashier: \(response.status)")
                    } else {
                        #expect(response.status == .forbidden, "\(route) as the cashier: \(response.status)")
                    }
                }
            }
        }
        await world.database.close()
    }
}
