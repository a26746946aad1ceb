import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The demo world with a second consultant at riverside and one at lakeside, and customers put
/// straight into the database (their creation is the customer controller's business).
struct OwnershipWorld {
    let world: IdentityWorld
    let groupID: UUID
    let riverside: UUID
    let lakeside: UUID
    /// Demo users by username, and the extra ones: `second.consultant` (riverside), `lake.consultant` (lakeside),
    /// `former.consultant` (riverside, deactivated).
    let users: [String: UUID]

    static let password = "ownership passphrase 1"

    static func make() async throws -> OwnershipWorld {
        let world = try await IdentityWorld.make()
        let groupID = try await world.groupID()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let users = try await world.database.unitOfWork { work -> [String: UUID] in
            var users: [String: UUID] = [:]
            for name in ["property.consultant", "sales.manager", "sales.controller", "cashier", "city.sales.management",
                         "city.marketing", "system.administrator", "group.management"] {
                users[name] = try #require(try await work.users.credentials(groupCode: DemoData.groupCode, username: name)).user.id
            }
            for (name, unit, active) in [("second.consultant", riverside, true), ("lake.consultant", lakeside, true),
                                         ("former.consultant", riverside, false)] {
                let user = User(groupID: groupID, id: UUIDv7.make(), orgUnitID: unit, username: name, displayName: name, active: active)
                try await work.users.insert(user, passwordHash: try await IdentityWorld.fastHasher.hash(Self.password))
                _ = try await work.roles.grant("property_consultant", userID: user.id, orgUnitID: unit, groupID: groupID)
                users[name] = user.id
            }
            return users
        }
        return OwnershipWorld(world: world, groupID: groupID, riverside: riverside, lakeside: lakeside, users: users)
    }

    func user(_ name: String) throws -> UUID { try #require(users[name], "no user \(name)") }

    func signIn(_ client: some TestClientProtocol, _ name: String) async throws -> String {
        let extra = ["second.consultant", "lake.consultant"].contains(name)
        return try await EstateInterfaceTests.signIn(client, name, password: extra ? Self.password : DemoData.password)
    }

    /// A customer owned by `owner` (nil: in the pool) at `project`, with one phone, protected until `protectedUntil`.
    func customer(_ name: String, owner: String?, project: UUID? = nil, source: String = "walk_in",
                  protectedUntil: Date? = Date().addingTimeInterval(30 * 86_400), phone: String = "13812345678") async throws -> UUID {
        let ownerID = try owner.map(user)
        let projectID = project ?? riverside
        return try await world.database.unitOfWork { work in
            let unit = try #require(try await work.orgUnits.find(groupID: groupID, id: projectID))
            let customer = Customer(groupID: groupID, id: UUIDv7.make(), projectID: projectID, projectPath: unit.path,
                                    profile: CustomerProfile(name: name, phones: [CustomerPhone(number: phone)], source: source),
                                    ownerID: ownerID, pooledAt: ownerID == nil ? Date() : nil,
                                    protectedUntil: ownerID == nil ? nil : protectedUntil, createdBy: try user("sales.manager"))
            try await work.customers.insert(customer)
            try await work.customerHistory.recordOwnership(groupID: groupID, customerID: customer.id, event: .created, from: (nil, nil),
                                                           to: (ownerID, projectID), actor: "system", reason: nil)
            return customer.id
        }
    }

    func stored(_ id: UUID) async throws -> Customer {
        try await world.database.unitOfWork { work in try #require(try await work.customers.find(groupID: groupID, id: id)) }
    }

    func history(_ id: UUID) async throws -> [OwnershipRecord] {
        try await world.database.unitOfWork { work in try await work.customerOwnership.history(groupID: groupID, customerID: id, before: nil, limit: 100) }
    }

    func auditActions(_ id: UUID) async throws -> [String] {
        try await world.database.unitOfWork { work in
            try await work.audit.entries(groupID: groupID, filter: AuditTrail.Filter(objectID: id), beforeSequence: nil, limit: 100).map(\.event.action)
        }
    }
}

/// What a racing claim heard.
struct ClaimReply: Sendable {
    let status: HTTPResponse.Status
    let code: String?
    let text: String
    let manager: Bool
}

/// Whether `date` is within a minute of `days` days from now.
func isAbout(_ date: Date?, daysFromNow days: Int) -> Bool {
    guard let date else { return false }
    return abs(date.timeIntervalSince(Date().addingTimeInterval(Double(days) * 86_400))) < 60
}

/// A UUID in a JSON answer (the API writes them in upper case).
func uuid(_ text: Any?) -> UUID? {
    (text as? String).flatMap(UUID.init(uuidString:))
}

func date(_ text: Any?) -> Date? {
    (text as? String).flatMap { try? Date($0, strategy: .iso8601) }
}

@Suite("Customer ownership: sharing, reassignment, the pool and protection periods")
struct CustomerOwnershipTests {
    @Test func readOnlySharesReadCollaboratorsWriteOnlyOwnersAndManagersShare() async throws {
        let o = try await OwnershipWorld.make()
        let consultantID = try o.user("property.consultant")
        let secondID = try o.user("second.consultant")
        let lakeID = try o.user("lake.consultant")
        let customer = try await o.customer("Wang Fang", owner: "property.consultant")
        let second = secondID
        try await o.world.test { client in
            let owner = try await o.signIn(client, "property.consultant")
            let colleague = try await o.signIn(client, "second.consultant")
            let lake = try await o.signIn(client, "lake.consultant")
            let manager = try await o.signIn(client, "sales.manager")
            let cashier = try await o.signIn(client, "cashier")
            let shares = "/v1/customers/\(customer)/shares"

            // Another consultant's customer does not exist for them, whatever the route.
            #expect(try await call(client, .get, "/v1/customers/\(customer)", colleague).status == .notFound)
            #expect(try await call(client, .get, shares, colleague).status == .notFound)
            #expect(try await call(client, .get, "/v1/customers/\(customer)/ownership-history", colleague).status == .notFound)
            #expect(try await call(client, .put, "\(shares)/\(second)", colleague, ["access": "read"]).status == .notFound)

            // Read-only: the colleague reads, cannot change, cannot share on.
            try await client.execute(uri: "\(shares)/\(second)", method: .put, headers: headers(owner),
                                     body: try jsonBody(["access": "read"])) { response in
                try expectConforms(response, to: "PUT", "/v1/customers/{id}/shares/{userId}")
                #expect(response.status == .created)
                let body = try response.jsonObject()
                #expect(body["access"] as? String == "read")
                #expect(body["username"] as? String == "second.consultant")
                #expect(uuid(body["grantedBy"]) == consultantID)
            }
            let read = try await call(client, .get, "/v1/customers/\(customer)", colleague)
            #expect(read.status == .ok, "\(read.text)")
            #expect(read.string("name") == "Wang Fang")
            let etag = try #require(read.etag)
            #expect(try await call(client, .patch, "/v1/customers/\(customer)", colleague, ["notes": "mine now"], ifMatch: etag).status == .forbidden)
            #expect(try await call(client, .get, "/v1/customers/\(customer)/ownership-history", colleague).status == .ok)
            #expect(try await call(client, .put, "\(shares)/\(lakeID)", colleague, ["access": "read"]).status == .forbidden)
            try await client.execute(uri: shares, method: .get, headers: headers(colleague)) { response in
                try expectConforms(response, to: "GET", "/v1/customers/{id}/shares")
                let items = try #require(try response.jsonObject()["items"] as? [[String: Any]])
                #expect(items.map { uuid($0["userId"]) } == [second])
            }

            // Collaborator: the same share changed to write; the colleague edits, but still does not share.
            let upgraded = try await call(client, .put, "\(shares)/\(second)", owner, ["access": "write"])
            #expect(upgraded.status == .ok, "\(upgraded.text)")
            #expect(upgraded.string("access") == "write")
            // The same share again changes nothing (and records nothing).
            #expect(try await call(client, .put, "\(shares)/\(second)", owner, ["access": "write"]).status == .ok)
            let patched = try await call(client, .patch, "/v1/customers/\(customer)", colleague, ["notes": "called back"], ifMatch: etag)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try await call(client, .put, "\(shares)/\(lakeID)", colleague, ["access": "read"]).status == .forbidden)
            #expect(try await call(client, .delete, "\(shares)/\(second)", colleague).status == .forbidden)

            // A consultant of another project given a share reads beyond their own project; a manager shares too;
            // back office (the cashier) reads but does not share.
            #expect(try await call(client, .get, "/v1/customers/\(customer)", lake).status == .notFound)
            #expect(try await call(client, .put, "\(shares)/\(lakeID)", manager, ["access": "read"]).status == .created)
            #expect(try await call(client, .get, "/v1/customers/\(customer)", lake).status == .ok)
            #expect(try await call(client, .get, shares, cashier).items.count == 2)
            #expect(try await call(client, .put, "\(shares)/\(lakeID)", cashier, ["access": "write"]).status == .forbidden)

            // Who cannot be given a share: the owner, a user who reads no customers, an inactive or unknown user.
            for (user, message) in [("property.consultant", "owns the customer"), ("sales.controller", "holds customers.read nowhere"),
                                    ("former.consultant", "is not an active user")] {
                let refused = try await call(client, .put, "\(shares)/\(try o.user(user))", owner, ["access": "read"])
                #expect(refused.status == .unprocessableContent, "\(user): \(refused.text)")
                #expect(refused.code == "share-refused")
                #expect(refused.errorFields == ["userId"])
                #expect(refused.text.contains(message), "\(refused.text)")
            }
            #expect(try await call(client, .put, "\(shares)/\(UUID())", owner, ["access": "read"]).code == "share-refused")
            // Bodies are exact.
            #expect(try await call(client, .put, "\(shares)/\(second)", owner, ["access": "admin"]).status == .badRequest)
            #expect(try await call(client, .put, "\(shares)/\(second)", owner, ["access": "read", "until": "never"]).status == .badRequest)
            #expect(try await call(client, .put, "\(shares)/\(second)", owner, [String: Any]()).status == .badRequest)

            // Revoking: the colleague no longer sees the customer; revoking twice is a 404.
            #expect(try await call(client, .delete, "\(shares)/\(second)", owner).status == .noContent)
            #expect(try await call(client, .get, "/v1/customers/\(customer)", colleague).status == .notFound)
            #expect(try await call(client, .delete, "\(shares)/\(second)", owner).status == .notFound)
            #expect(try await call(client, .get, shares, owner).items.map { $0["username"] as? String } == ["lake.consultant"])
        }
        #expect(try await o.auditActions(customer).filter { $0.hasPrefix("customer.") }.sorted()
                == ["customer.share", "customer.share", "customer.share", "customer.unshare", "customer.update"])
        await o.world.database.close()
    }

    @Test func bulkReassignmentIsAllOrNothingWithAHistoryRowEach() async throws {
        let o = try await OwnershipWorld.make()
        let consultantID = try o.user("property.consultant")
        let secondID = try o.user("second.consultant")
        let lakeID = try o.user("lake.consultant")
        let managerID = try o.user("sales.manager")
        let controllerID = try o.user("sales.controller")
        let formerID = try o.user("former.consultant")
        let first = try await o.customer("Li Lei", owner: "property.consultant")
        let second = try await o.customer("Han Meimei", owner: "property.consultant", source: "agency")
        let pooled = try await o.customer("Zhao Yun", owner: nil)
        let lakeside = try await o.customer("Ma Chao", owner: "lake.consultant", project: o.lakeside)
        let newOwner = secondID
        @Sendable func body(_ ids: [UUID], owner: UUID? = nil, project: UUID? = nil, reason: String = "Li Na left the sales office") -> [String: Any] {
            var body: [String: Any] = ["customerIds": ids.map(\.uuidString), "ownerId": (owner ?? newOwner).uuidString, "reason": reason]
            if let project { body["projectId"] = project.uuidString }
            return body
        }
        try await o.world.test { client in
            let admin = try await o.signIn(client, "system.administrator")
            #expect(try await call(client, .put, "/v1/customer-protection-periods/agency", admin, ["days": 10]).status == .created)
            let consultant = try await o.signIn(client, "property.consultant")
            let manager = try await o.signIn(client, "sales.manager")
            let city = try await o.signIn(client, "city.sales.management")
            let path = "/v1/customers/reassign"

            // Consultants do not reassign, not even their own customers.
            #expect(try await call(client, .post, path, consultant, body([first])).status == .forbidden)
            // Malformed requests: 400 naming each field.
            #expect(try await call(client, .post, path, manager, body([])).errorFields == ["customerIds"])
            #expect(try await call(client, .post, path, manager, body([first, second, first], reason: " ")).errorFields == ["customerIds[2]", "reason"])
            #expect(try await call(client, .post, path, manager, body((0...500).map { _ in UUID() })).errorFields == ["customerIds"])
            #expect(try await call(client, .post, path, manager, body([first]).merging(["extra": true]) { a, _ in a }).status == .badRequest)

            // All or nothing: one customer out of the manager's reach (lakeside), one that does not exist, an
            // owner who cannot own customers: every fault named, and nothing changes.
            let refused = try await call(client, .post, path, manager, body([first, lakeside, second, UUID()]))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.code == "reassignment-refused")
            #expect(refused.errorFields == ["customerIds[1]", "customerIds[3]"])
            let messages = Set((refused.body["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String })
            #expect(messages == ["is not a customer you may reassign"])
            #expect(try await call(client, .post, path, manager, body([first], owner: controllerID)).errorFields == ["customerIds[0]"])
            #expect(try await call(client, .post, path, manager, body([first], owner: formerID)).errorFields == ["ownerId"])
            #expect(try await call(client, .post, path, manager, body([first], owner: UUID())).errorFields == ["ownerId"])
            #expect(try await o.stored(first).ownerID == consultantID)
            #expect(try await o.history(first).map(\.event) == [.created])

            // The manager gives three riverside customers (one from the pool) to the second consultant.
            let done = try await client.execute(uri: path, method: .post, headers: headers(manager),
                                                body: try jsonBody(body([first, second, pooled]))) { response in
                try expectConforms(response, to: "POST", "/v1/customers/reassign")
                #expect(response.status == .ok, "\(response.text)")
                return try response.jsonObject()
            }
            let reassigned = try #require(done["reassigned"] as? [[String: Any]])
            #expect(reassigned.map { uuid($0["customerId"]) } == [first, second, pooled])
            #expect(reassigned.map { uuid($0["fromOwnerId"]) } == [consultantID, consultantID, nil])
            #expect(done["unchanged"] as? [String] == [])
            // A new protection period from now: the source's (agency: 10 days), else the fallback of 30.
            #expect(isAbout(date(reassigned[0]["protectedUntil"]), daysFromNow: 30))
            #expect(isAbout(date(reassigned[1]["protectedUntil"]), daysFromNow: 10))
            for id in [first, second, pooled] {
                let stored = try await o.stored(id)
                #expect(stored.ownerID == newOwner)
                #expect(stored.pooledAt == nil)
                #expect(isAbout(stored.protectedUntil, daysFromNow: id == second ? 10 : 30))
                let history = try await o.history(id)
                #expect(history.map(\.event) == [.reassigned, .created])
                #expect(history.first?.to == CustomerPlacement(ownerID: newOwner, projectID: o.riverside))
                #expect(history.first?.from.ownerID == (id == pooled ? nil : consultantID))
                #expect(history.first?.reason == "Li Na left the sales office")
                #expect(history.first?.actor == "user:\(managerID.uuidString.lowercased())")
                #expect(try await o.auditActions(id) == ["customer.reassign"])
            }
            // The former owner lost them; the new one has them.
            #expect(try await call(client, .get, "/v1/customers/\(first)/ownership-history", consultant).status == .notFound)
            let newConsultant = try await o.signIn(client, "second.consultant")
            try await client.execute(uri: "/v1/customers/\(first)/ownership-history", method: .get, headers: headers(newConsultant)) { response in
                try expectConforms(response, to: "GET", "/v1/customers/{id}/ownership-history")
                let items = try #require(try response.jsonObject()["items"] as? [[String: Any]])
                #expect(items.map { $0["event"] as? String } == ["reassigned", "created"])
                #expect(items.first?["reason"] as? String == "Li Na left the sales office")
            }
            // Asking again changes nothing and records nothing.
            let again = try await call(client, .post, path, manager, body([first]))
            #expect((again.body["unchanged"] as? [Any])?.map(uuid) == [first])
            #expect(try await o.history(first).count == 2)

            // Across projects of the city: the riverside manager cannot move customers to lakeside, the city's sales
            // management can, to a consultant who owns customers there (not to one who does not).
            #expect(try await call(client, .post, path, manager, body([first], owner: lakeID, project: o.lakeside))
                    .errorFields == ["projectId"])
            #expect(try await call(client, .post, path, city, body([first], project: o.lakeside)).errorFields == ["ownerId"])
            let moved = try await call(client, .post, path, city, body([first, lakeside], owner: lakeID, project: o.lakeside))
            #expect(moved.status == .ok, "\(moved.text)")
            #expect((moved.body["unchanged"] as? [Any])?.map(uuid) == [lakeside])
            #expect(try await o.stored(first).projectID == o.lakeside)
            let last = try #require(try await o.history(first).first)
            #expect(last.from.projectID == o.riverside && last.to == CustomerPlacement(ownerID: lakeID, projectID: o.lakeside))
            #expect(try await call(client, .get, "/v1/customers/\(first)", try await o.signIn(client, "lake.consultant")).status == .ok)
            // Out of the riverside manager's reach now.
            #expect(try await call(client, .post, path, manager, body([first])).errorFields == ["customerIds[0]"])
        }
        await o.world.database.close()
    }

    @Test func lapsedCustomersGoToThePoolAndExactlyOneClaimWins() async throws {
        let o = try await OwnershipWorld.make()
        let consultantID = try o.user("property.consultant")
        let secondID = try o.user("second.consultant")
        let inAMonth = Date().addingTimeInterval(30 * 86_400)
        let lapsing = try await o.customer("Sun Quan", owner: "property.consultant", protectedUntil: inAMonth)
        let keptBusy = try await o.customer("Zhou Yu", owner: "property.consultant", protectedUntil: inAMonth)
        let protected = try await o.customer("Lu Su", owner: "property.consultant", protectedUntil: inAMonth.addingTimeInterval(60 * 86_400))
        let raced = try await o.customer("Gan Ning", owner: "second.consultant", protectedUntil: inAMonth)

        // Before the end nothing lapses; at the end the customers lapse, except one another transaction holds
        // (a follow-up being recorded), which the sweep skips and takes the next time.
        #expect(try await o.world.database.lapseProtections(now: inAMonth.addingTimeInterval(-1)) == 0)
        let sweptWhileHeld = try await o.world.database.unitOfWork { work in
            _ = try await work.customers.find(groupID: o.groupID, id: keptBusy, lock: true)
            return try await o.world.database.lapseProtections(now: inAMonth.addingTimeInterval(86_400), batchSize: 1)
        }
        #expect(sweptWhileHeld == 2)
        #expect(try await o.stored(keptBusy).ownerID != nil)
        #expect(try await o.world.database.lapseProtections(now: inAMonth.addingTimeInterval(86_400)) == 1)
        for id in [lapsing, keptBusy, raced] {
            let stored = try await o.stored(id)
            #expect(stored.ownerID == nil && stored.pooledAt != nil && stored.protectedUntil == nil && stored.inPool)
            let history = try await o.history(id)
            #expect(history.map(\.event) == [.pooled, .created])
            #expect(history.first?.actor == "system")
            #expect(history.first?.reason == "protection period lapsed")
            #expect(history.first?.to == CustomerPlacement(ownerID: nil, projectID: o.riverside))
        }
        #expect(try await o.stored(protected).ownerID == consultantID)

        try await o.world.test { client in
            let admin = try await o.signIn(client, "system.administrator")
            #expect(try await call(client, .put, "/v1/customer-protection-periods/walk_in", admin, ["days": 7]).status == .created)
            let owner = try await o.signIn(client, "property.consultant")
            let colleague = try await o.signIn(client, "second.consultant")
            let marketing = try await o.signIn(client, "city.marketing")
            let pool = "/v1/projects/\(o.riverside)/customer-pool"

            // The pool, newest first, in pages; phones masked for a reader without customers.pii.
            try await client.execute(uri: "\(pool)?limit=2", method: .get, headers: headers(colleague)) { response in
                try expectConforms(response, to: "GET", "/v1/projects/{id}/customer-pool")
                let body = try response.jsonObject()
                let items = try #require(body["items"] as? [[String: Any]])
                #expect(items.count == 2)
                #expect(items.allSatisfy { $0["inPool"] as? Bool == true && $0["ownerId"] == nil })
                #expect((items.first?["phones"] as? [[String: Any]])?.first?["number"] as? String == "13812345678")
                let next = try #require(body["nextCursor"] as? String)
                let rest = try await call(client, .get, "\(pool)?limit=2&cursor=\(next)", colleague)
                #expect(rest.items.count == 1)
                let all = Set((items + rest.items).compactMap { uuid($0["id"]) })
                #expect(all == [lapsing, keptBusy, raced])
            }
            let masked = try await call(client, .get, pool, marketing)
            #expect(masked.items.count == 3)
            #expect(masked.items.allSatisfy { $0["masked"] as? Bool == true })
            #expect((masked.items.first?["phones"] as? [[String: Any]])?.first?["number"] as? String == "138****5678")
            #expect(try await call(client, .get, pool, try await o.signIn(client, "sales.controller")).status == .forbidden)
            #expect(try await call(client, .get, "/v1/projects/\(o.riverside)/customer-pool", try await o.signIn(client, "lake.consultant")).status == .notFound)
            #expect(try await call(client, .get, "\(pool)?cursor=nonsense", colleague).status == .badRequest)

            // A consultant of the project claims a pooled customer: theirs, with the source's period from now.
            try await client.execute(uri: "/v1/customers/\(lapsing)/claim", method: .post, headers: headers(colleague)) { response in
                try expectConforms(response, to: "POST", "/v1/customers/{id}/claim")
                #expect(response.status == .ok, "\(response.text)")
                let body = try response.jsonObject()
                #expect(uuid(body["ownerId"]) == secondID)
                #expect(body["inPool"] as? Bool == false)
                #expect(isAbout(date(body["protectedUntil"]), daysFromNow: 7))
            }
            let claimed = try #require(try await o.history(lapsing).first)
            #expect(claimed.event == .claimed && claimed.to.ownerID == secondID)
            #expect(try await o.auditActions(lapsing) == ["customer.claim"])
            // Claimed customers leave the pool: for anyone else they are another consultant's (404); the owner
            // claiming an owned customer is a 409; back office and other projects cannot claim.
            let late = try await call(client, .post, "/v1/customers/\(lapsing)/claim", owner)
            #expect(late.status == .notFound)
            let own = try await call(client, .post, "/v1/customers/\(protected)/claim", owner)
            #expect(own.status == .conflict && own.code == "not-in-pool", "\(own.text)")
            #expect(try await call(client, .post, "/v1/customers/\(keptBusy)/claim", try await o.signIn(client, "cashier")).status == .forbidden)
            #expect(try await call(client, .post, "/v1/customers/\(keptBusy)/claim", try await o.signIn(client, "lake.consultant")).status == .notFound)
            let managerClaim = try await call(client, .post, "/v1/customers/\(keptBusy)/claim", try await o.signIn(client, "sales.manager"))
            #expect(managerClaim.status == .ok)
            #expect(try await call(client, .post, "/v1/customers/\(keptBusy)/claim", try await o.signIn(client, "sales.manager")).code == "not-in-pool")

            // Two consultants claim the same customer at once: exactly one wins. The other gets 409 not-in-pool, or
            // 404 when it looked only after the winner committed (the customer is then another consultant's).
            async let a = call(client, .post, "/v1/customers/\(raced)/claim", owner)
            async let b = call(client, .post, "/v1/customers/\(raced)/claim", colleague)
            let replies = try await [a, b]
            #expect(replies.filter { $0.status == .ok }.count == 1, "\(replies.map(\.text))")
            #expect(replies.filter { $0.code == "not-in-pool" || $0.status == .notFound }.count == 1, "\(replies.map(\.text))")
            let winner = try #require(replies.firstIndex { $0.status == .ok })
            #expect(try await o.stored(raced).ownerID == (winner == 0 ? consultantID : secondID))
            #expect(try await o.history(raced).map(\.event) == [.claimed, .pooled, .created])
            #expect(try await call(client, .get, pool, colleague).items.isEmpty)
        }
        await o.world.database.close()
    }

    @Test func manyConcurrentClaimsOneWinnerEach() async throws {
        let o = try await OwnershipWorld.make()
        var created: [UUID] = []
        for index in 0..<6 { created.append(try await o.customer("Pooled \(index)", owner: nil)) }
        let pooled = created
        try await o.world.test { client in
            // Managers see every customer, so a manager who loses always hears not-in-pool; a consultant who
            // looks after the winner committed no longer sees the customer (404).
            var tokens: [(token: String, manager: Bool)] = []
            for (name, manager) in [("sales.manager", true), ("city.sales.management", true), ("property.consultant", false),
                                    ("second.consultant", false)] {
                tokens.append((try await o.signIn(client, name), manager))
            }
            for id in pooled {
                let replies = try await withThrowingTaskGroup(of: ClaimReply.self) { group in
                    for (token, manager) in tokens {
                        group.addTask {
                            let reply = try await call(client, .post, "/v1/customers/\(id)/claim", token)
                            return ClaimReply(status: reply.status, code: reply.code, text: reply.text, manager: manager)
                        }
                    }
                    return try await group.reduce(into: [ClaimReply]()) { $0.append($1) }
                }
                #expect(replies.filter { $0.status == .ok }.count == 1, "\(replies.map(\.text))")
                for reply in replies where reply.status != .ok {
                    #expect(reply.code == "not-in-pool" || (!reply.manager && reply.status == .notFound), "\(reply.text)")
                }
                #expect(try await o.history(id).filter { $0.event == .claimed }.count == 1)
                #expect(try await o.stored(id).ownerID != nil)
            }
        }
        await o.world.database.close()
    }

    @Test func theProtectionLapseServiceSweepsOnItsOwn() async throws {
        let o = try await OwnershipWorld.make()
        let consultantID = try o.user("property.consultant")
        let customer = try await o.customer("Huang Zhong", owner: "property.consultant", protectedUntil: Date().addingTimeInterval(-1))
        let service = ProtectionLapseService(database: o.world.database, interval: .milliseconds(50), logger: Logger(label: "test"))
        let running = Task { try await service.run() }
        var owner: UUID? = consultantID
        for _ in 0..<100 {
            owner = try await o.stored(customer).ownerID
            if owner == nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        running.cancel()
        try await running.value
        #expect(owner == nil)
        #expect(try await o.history(customer).first?.event == .pooled)
        await o.world.database.close()
    }

    @Test func protectionPeriodsAreSetAtTheGroupRootPerSource() async throws {
        let o = try await OwnershipWorld.make()
        try await o.world.test { client in
            let admin = try await o.signIn(client, "system.administrator")
            let consultant = try await o.signIn(client, "property.consultant")
            let path = "/v1/customer-protection-periods"
            try await client.execute(uri: path, method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/customer-protection-periods")
                let body = try response.jsonObject()
                #expect(body["defaultDays"] as? Int == 30)
                #expect((body["items"] as? [Any])?.isEmpty == true)
            }
            #expect(try await call(client, .put, "\(path)/walk_in", consultant, ["days": 5]).status == .forbidden)
            try await client.execute(uri: "\(path)/walk_in", method: .put, headers: headers(admin), body: try jsonBody(["days": 7])) { response in
                try expectConforms(response, to: "PUT", "/v1/customer-protection-periods/{source}")
                #expect(response.status == .created)
            }
            let changed = try await call(client, .put, "\(path)/walk_in", admin, ["days": 8])
            #expect(changed.status == .ok && changed.body["days"] as? Int == 8)
            #expect(try await call(client, .put, "\(path)/*", admin, ["days": 45]).status == .created)
            #expect(try await call(client, .put, "\(path)/%2A", admin, ["days": 46]).status == .ok)
            let listed = try await call(client, .get, path, consultant)
            #expect(listed.items.map { $0["source"] as? String } == ["*", "walk_in"])
            #expect(listed.items.map { $0["days"] as? Int } == [46, 8])
            #expect(listed.body["defaultDays"] as? Int == 46)
            // What the customer code reads: the source's period, else the default.
            let days = try await o.world.database.unitOfWork { work in
                (try await work.customerHistory.protectionDays(groupID: o.groupID, source: "walk_in"),
                 try await work.customerHistory.protectionDays(groupID: o.groupID, source: "agency"))
            }
            #expect(days == (8, 46))

            // Refusals: days out of range, unknown members, a malformed source (400); a code the dictionary lacks (422).
            for bad in [0, 3651, -1] {
                #expect(try await call(client, .put, "\(path)/agency", admin, ["days": bad]).errorFields == ["days"])
            }
            #expect(try await call(client, .put, "\(path)/agency", admin, ["days": 2.5]).status == .badRequest)
            #expect(try await call(client, .put, "\(path)/agency", admin, ["days": 5, "source": "call"]).status == .badRequest)
            #expect(try await call(client, .put, "\(path)/Not-A-Code", admin, ["days": 5]).errorFields == ["source"])
            let unknown = try await call(client, .put, "\(path)/billboard", admin, ["days": 5])
            #expect(unknown.status == .unprocessableContent && unknown.code == "unknown-source" && unknown.errorFields == ["source"])
            #expect(try await call(client, .put, "\(path)/agency", admin, ["days": 3650]).status == .created)
        }
        let root = try await o.world.unitID("demo")
        #expect(try await o.auditActions(root).filter { $0.hasPrefix("customer_protection_period") }.count == 5)
        await o.world.database.close()
    }
}
