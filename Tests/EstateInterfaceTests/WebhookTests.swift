import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import Testing

/// The demo group with rooms at riverside, the administrator (webhooks) and the sales controller (room changes).
struct WebhookFixture {
    let world: IdentityWorld
    let admin: String
    let controller: String
    /// Group management: reads the event feed (`events.read`).
    let management: String
    let rooms: [UUID]

    static func make(_ world: IdentityWorld, _ client: some TestClientProtocol, rooms count: Int = 3) async throws -> WebhookFixture {
        let riverside = try await world.unitID("riverside")
        let admin = try await signIn(client, "system.administrator")
        let controller = try await signIn(client, "sales.controller")
        let management = try await signIn(client, "group.management")
        let building = try await world.building(client, controller, project: riverside, code: "wh")
        let rooms = try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: count)
        return WebhookFixture(world: world, admin: admin, controller: controller, management: management, rooms: rooms.sorted { $0.key < $1.key }.map(\.value))
    }

    /// A webhook of the demo group and a delivery of an event about `room` to it, straight into the database.
    static func objects(_ world: IdentityWorld, room: UUID) async throws -> (webhook: UUID, delivery: UUID) {
        let groupID = try await world.groupID()
        return try await world.database.unitOfWork { work in
            let webhook = Webhook(id: UUIDv7.make(), url: "http://127.0.0.1:9/matrix", eventTypes: [.roomStatusChanged])
            try await work.webhooks.insert(StoredWebhook(groupID: groupID, webhook: webhook, createdBy: "system"), secret: WebhookSecret.make())
            try await work.events.append(RoomStatusChanged(roomId: room, projectId: UUIDv7.make(), buildingId: UUIDv7.make(), number: "101",
                                                           from: .notReleased, to: .available, event: .release, reason: nil,
                                                           holdUntil: nil, dealId: nil), groupID: groupID)
            let delivery = try #require(try await work.webhooks.deliveries(groupID: groupID, webhookID: webhook.id, statuses: nil,
                                                                           after: nil, limit: 1).first)
            return (webhook.id, delivery.id)
        }
    }

    /// Subscribes a webhook through the API; returns its id and secret.
    func subscribe(_ client: some TestClientProtocol, url: String, types: [String] = ["room.status_changed"],
                   format: String = "json") async throws -> (id: String, secret: String) {
        let reply = try await call(client, .post, "/v1/webhooks", admin, ["url": url, "eventTypes": types, "format": format])
        #expect(reply.status == .created, "\(reply.text)")
        return (try #require(reply.string("id")), try #require(reply.string("secret")))
    }

    func release(_ client: some TestClientProtocol, _ room: UUID) async throws {
        let reply = try await call(client, .post, "/v1/rooms/\(room)/release", controller)
        #expect(reply.status == .ok, "\(reply.text)")
    }

    func deliveries(_ client: some TestClientProtocol, _ webhook: String, status: String? = nil) async throws -> [[String: Any]] {
        let reply = try await call(client, .get, "/v1/webhooks/\(webhook)/deliveries" + (status.map { "?status=\($0)" } ?? ""), admin)
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.items
    }

    /// Polls a webhook's deliveries until `condition` holds (at most 20 s).
    @discardableResult
    func waitForDeliveries(_ client: some TestClientProtocol, _ webhook: String, _ what: String,
                           _ condition: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        for _ in 0..<1000 {
            let items = try await deliveries(client, webhook)
            if condition(items) { return items }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Harness.Failure("timed out waiting for deliveries: \(what)")
    }
}

/// The event feed's answer to `query`, asked again until it holds `count` events: the feed shows an
/// event once every older transaction of the cluster has ended, so one just committed may show a
/// moment late while another test's transaction runs (a bulk seed's for a while: the integration
/// exports' test seeds a scale project; the wait gives up after 5 minutes).
func events(_ client: some TestClientProtocol, _ token: String, _ query: String = "", count: Int) async throws -> Reply {
    let deadline = ContinuousClock.now + .seconds(300)
    while ContinuousClock.now < deadline {
        let reply = try await call(client, .get, "/v1/events" + (query.isEmpty ? "" : "?\(query)"), token)
        #expect(reply.status == .ok, "\(reply.text)")
        if reply.items.count >= count || reply.status != .ok { return reply }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw Harness.Failure("the feed did not show \(count) events for \(query)")
}

@Suite("Webhooks and the event outbox")
struct WebhookTests {
    @Test func subscribeReadChangeAndDeleteAWebhook() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            let created = try await call(client, .post, "/v1/webhooks", admin, [
                "url": "https://partner.example/hooks/estate", "eventTypes": ["room.status_changed", "customer.created"],
                "format": "xml", "description": "  CRM sync  ",
            ])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.etag == "\"1\"")
            let id = try created.id()
            let secret = try #require(created.string("secret"))
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            #expect(created.string("format") == "xml")
            #expect(created.string("description") == "CRM sync")
            #expect(created.body["active"] as? Bool == true)
            // The secret is shown once: never in a read, a list or an update.
            let read = try await call(client, .get, "/v1/webhooks/\(id)", admin)
            #expect(read.status == .ok && read.etag == "\"1\"")
            #expect(read.body["secret"] == nil)
            #expect(read.body["eventTypes"] as? [String] == ["room.status_changed", "customer.created"])
            let list = try await call(client, .get, "/v1/webhooks", admin)
            #expect(list.items.map { $0["id"] as? String } == [id.uuidString])
            #expect(list.items.allSatisfy { $0["secret"] == nil })
            // Changes need If-Match.
            let withoutVersion = try await call(client, .patch, "/v1/webhooks/\(id)", admin, ["active": false])
            #expect(withoutVersion.status == .preconditionRequired)
            let stale = try await call(client, .patch, "/v1/webhooks/\(id)", admin, ["active": false], ifMatch: "\"7\"")
            #expect(stale.status == .preconditionFailed && stale.code == "version-mismatch")
            let changed = try await call(client, .patch, "/v1/webhooks/\(id)", admin,
                                         ["active": false, "description": NSNull(), "eventTypes": ["customer.reassigned"]], ifMatch: "\"1\"")
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.etag == "\"2\"")
            #expect(changed.body["active"] as? Bool == false)
            #expect(changed.body["description"] == nil)
            #expect(changed.body["secret"] == nil)
            // Deleting: 204, then 404; the audit trail has all three changes, without the secret.
            let deleted = try await call(client, .delete, "/v1/webhooks/\(id)", admin)
            #expect(deleted.status == .noContent)
            #expect(try await call(client, .get, "/v1/webhooks/\(id)", admin).status == .notFound)
            let audit = try await call(client, .get, "/v1/audit-entries?objectType=webhook&objectId=\(id)", admin)
            #expect(Set(audit.items.compactMap { $0["action"] as? String }) == ["webhook.create", "webhook.update", "webhook.delete"])
            #expect(!audit.text.contains(secret))
        }
        await world.database.close()
    }

    @Test func badSubscriptionsNameTheFieldAtFault() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            let cases: [([String: Any], [String])] = [
                (["url": "ftp://partner.example/x", "eventTypes": ["room.status_changed"]], ["url"]),
                (["url": "https://user:pw@partner.example/x", "eventTypes": ["room.status_changed"]], ["url"]),
                (["url": "/relative", "eventTypes": ["room.status_changed"]], ["url"]),
                (["url": "https://partner.example/x", "eventTypes": []], ["eventTypes"]),
                (["url": "https://partner.example/x", "eventTypes": ["room.status_changed", "room.sold"]], ["eventTypes[1]"]),
                (["url": "https://partner.example/x", "eventTypes": ["customer.created", "customer.created"]], ["eventTypes[1]"]),
                (["url": "https://partner.example/x", "eventTypes": ["customer.created"], "format": "csv"], ["format"]),
                (["url": "https://partner.example/x", "eventTypes": ["customer.created"], "secret": "mine"], ["secret"]),
                (["url": "https://partner.example/x", "eventTypes": ["customer.created"], "description": NSNull()], ["description"]),
            ]
            for (body, fields) in cases {
                let reply = try await call(client, .post, "/v1/webhooks", admin, body)
                #expect(reply.status == .badRequest, "\(body): \(reply.status) \(reply.text)")
                #expect(reply.errorFields == fields, "\(body): \(reply.text)")
            }
            // Without admin.webhooks: 403; nothing was created.
            let consultant = try await signIn(client, "property.consultant")
            let refused = try await call(client, .post, "/v1/webhooks", consultant,
                                         ["url": "https://partner.example/x", "eventTypes": ["customer.created"]])
            #expect(refused.status == .forbidden)
            #expect(try await call(client, .get, "/v1/webhooks", admin).items.isEmpty)
        }
        await world.database.close()
    }

    @Test func anEventFromARealChangeReachesTheReceiverSigned() async throws {
        let world = try await IdentityWorld.make()
        let receiver = try await WebhookReceiver.start()
        let relay = RelayProcess.start(world.database, .quick())
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 1)
            let (webhook, secret) = try await fixture.subscribe(client, url: receiver.url)
            try await fixture.release(client, fixture.rooms[0])
            let request = try #require(try await receiver.waitFor("the release") { !$0.isEmpty }.first)
            // The headers name the event and carry the timestamp and the signature over "<timestamp>.<body>".
            #expect(request.headers["content-type"] == "application/json")
            let timestamp = try #require(request.headers["estate-timestamp"])
            let signature = try #require(request.headers["estate-signature"])
            let expected = try await opensslSignature(secret: secret, timestamp: timestamp, body: request.body)
            #expect(signature == "v1=\(expected)")
            #expect(WebhookSignature.verify(header: signature, timestamp: timestamp, expectedHexDigest: expected, now: Date()))
            #expect(!WebhookSignature.verify(header: signature, timestamp: timestamp,
                                             expectedHexDigest: try await opensslSignature(secret: "whsec_other", timestamp: timestamp,
                                                                                           body: request.body), now: Date()))
            // The body is the envelope of the room's first event.
            let event = try request.json()
            #expect(event["id"] as? String == request.eventID)
            #expect(request.headers["estate-event-type"] == "room.status_changed")
            #expect(event["type"] as? String == "room.status_changed")
            let object = try #require(event["object"] as? [String: Any])
            #expect(object["type"] as? String == "room")
            #expect(object["id"] as? String == fixture.rooms[0].uuidString)
            #expect(object["sequence"] as? Int == 1)
            let data = try #require(event["data"] as? [String: Any])
            #expect(data["from"] as? String == "not_released")
            #expect(data["to"] as? String == "available")
            #expect(data["event"] as? String == "release")
            #expect(data["number"] as? String == "101")
            // The delivery is listed as delivered, once.
            let items = try await fixture.waitForDeliveries(client, webhook, "delivered") { $0.first?["status"] as? String == "delivered" }
            #expect(items.count == 1)
            #expect(items[0]["eventId"] as? String == request.eventID)
            #expect(items[0]["attempts"] as? Int == 1)
            #expect(items[0]["lastStatus"] as? Int == 200)
            #expect(try await fixture.deliveries(client, webhook, status: "dead").isEmpty)
        }
        await relay.kill()
        await receiver.stop()
        await world.database.close()
    }

    @Test func aFailingReceiverIsRetriedWithBackoffThenDeadThenReplayed() async throws {
        let world = try await IdentityWorld.make()
        let receiver = try await WebhookReceiver.start(answer: .status(500))
        let settings = WebhookRelaySettings.quick(maxAttempts: 3)
        let first = RelayProcess.start(world.database, settings)
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 1)
            let (webhook, _) = try await fixture.subscribe(client, url: receiver.url)
            try await fixture.release(client, fixture.rooms[0])
            let items = try await fixture.waitForDeliveries(client, webhook, "dead") { $0.first?["status"] as? String == "dead" }
            let attempts = await receiver.received
            #expect(attempts.count == 3)
            #expect(Set(attempts.map(\.eventID)).count == 1)
            #expect(attempts.map { $0.headers["estate-delivery-attempt"] } == ["1", "2", "3"])
            // Each retry waited at least the policy's wait (50 ms, then 100 ms): never sooner.
            for (index, wait) in settings.retry.schedule.enumerated() {
                let gap = attempts[index + 1].at.timeIntervalSince(attempts[index].at)
                #expect(gap >= Double(wait.wholeMilliseconds) / 1000 - 0.005, "attempt \(index + 2) came \(gap) s after the one before")
            }
            #expect(items[0]["attempts"] as? Int == 3)
            #expect(items[0]["lastStatus"] as? Int == 500)
            #expect(items[0]["lastError"] as? String == "HTTP 500")
            #expect(items[0]["nextAttemptAt"] == nil)
            // Listed among the dead; replayed once the partner is back: the same event again, delivered.
            let dead = try await fixture.deliveries(client, webhook, status: "dead")
            let delivery = try #require(dead.first?["id"] as? String)
            #expect(try await fixture.deliveries(client, webhook, status: "pending,delivered").isEmpty)
            await first.kill()
            await receiver.answer(.status(204))
            let replayed = try await call(client, .post, "/v1/webhooks/\(webhook)/deliveries/\(delivery)/replay", fixture.admin)
            #expect(replayed.status == .ok, "\(replayed.text)")
            #expect(replayed.string("status") == "pending")
            #expect(replayed.body["attempts"] as? Int == 0)
            // Queued already: a second replay is refused until it is delivered.
            let again = try await call(client, .post, "/v1/webhooks/\(webhook)/deliveries/\(delivery)/replay", fixture.admin)
            #expect(again.status == .conflict && again.code == "delivery-in-progress")
            #expect(again.body["currentStatus"] as? String == "pending")
            let second = RelayProcess.start(world.database, settings)
            let delivered = try await fixture.waitForDeliveries(client, webhook, "replayed") { $0.first?["status"] as? String == "delivered" }
            await second.kill()
            #expect(delivered[0]["attempts"] as? Int == 1)
            #expect(delivered[0]["lastStatus"] as? Int == 204)
            let all = await receiver.received
            #expect(all.count == 4)
            #expect(Set(all.map(\.eventID)).count == 1)
            #expect(Set(all.map(\.text)).count == 1, "every delivery of the event carries the same body")
            // A delivery of another webhook, or none at all: 404.
            let missing = try await call(client, .post, "/v1/webhooks/\(webhook)/deliveries/\(UUIDv7.make())/replay", fixture.admin)
            #expect(missing.status == .notFound)
        }
        await first.kill()
        await receiver.stop()
        await world.database.close()
    }

    /// The outbox's promise: a relay killed while deliveries are on the wire loses none of them.
    /// The receiver accepts the requests and holds them unanswered; the relay is killed (its task
    /// cancelled mid-request, so it records nothing); a new relay starts. When the first relay's
    /// lease runs out the new one sends every event again — same event id, same body — and each
    /// is delivered.
    @Test func aRelayKilledMidDeliveryLosesNoEventAndRepeatsTheSameEventID() async throws {
        let world = try await IdentityWorld.make()
        let receiver = try await WebhookReceiver.start(answer: .hang)
        // A short lease, so that the restarted relay takes over soon; a long timeout, so that the
        // first relay is still waiting for the receiver's answers when it is killed.
        let settings = WebhookRelaySettings.quick(maxAttempts: 3, lease: .seconds(1), requestTimeout: .seconds(60))
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 3)
            let (webhook, _) = try await fixture.subscribe(client, url: receiver.url)
            for room in fixture.rooms { try await fixture.release(client, room) }
            let feed = try await events(client, fixture.management, "type=room.status_changed", count: 3)
            let eventIDs = Set(feed.items.compactMap { $0["id"] as? String })
            #expect(eventIDs.count == 3, "\(feed.text)")
            let first = RelayProcess.start(world.database, settings)
            // All three are on the wire, held by the receiver: kill the relay now.
            try await receiver.waitFor("three requests in flight") { $0.count == 3 }
            let inFlight = try await fixture.deliveries(client, webhook)
            #expect(inFlight.map { $0["status"] as? String } == ["delivering", "delivering", "delivering"])
            await first.kill()
            await receiver.answer(.status(200))
            // Still delivering (nothing was recorded by the killed relay), until a new relay takes over.
            #expect(try await fixture.deliveries(client, webhook).allSatisfy { $0["status"] as? String == "delivering" })
            let second = RelayProcess.start(world.database, settings)
            let delivered = try await fixture.waitForDeliveries(client, webhook, "all delivered after the restart") { items in
                items.count == 3 && items.allSatisfy { $0["status"] as? String == "delivered" }
            }
            await second.kill()
            #expect(delivered.allSatisfy { $0["attempts"] as? Int == 2 })
            // No event lost: every event reached the receiver; the repeats carry the same id and body.
            let received = await receiver.received
            let byEvent = Dictionary(grouping: received) { $0.eventID ?? "" }
            #expect(Set(byEvent.keys) == eventIDs)
            for (event, copies) in byEvent {
                #expect(copies.count == 2, "\(event) arrived \(copies.count) times")
                #expect(Set(copies.map(\.text)).count == 1, "\(event): the repeat has another body")
                #expect(try copies.allSatisfy { try $0.json()["id"] as? String == event })
                #expect(copies.map { $0.headers["estate-delivery-attempt"] } == ["1", "2"])
            }
        }
        await receiver.stop()
        await world.database.close()
    }

    @Test func anObjectsEventsAreNumberedInOrderAndDeliveredInThatOrder() async throws {
        let world = try await IdentityWorld.make()
        let receiver = try await WebhookReceiver.start()
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 2)
            let (webhook, _) = try await fixture.subscribe(client, url: receiver.url)
            let room = fixture.rooms[0]
            let manager = try await signIn(client, "sales.manager")
            try await fixture.release(client, room)
            let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            #expect(try await call(client, .post, "/v1/rooms/\(room)/hold", manager, ["reason": "VIP viewing", "until": until]).status == .ok)
            #expect(try await call(client, .post, "/v1/rooms/\(room)/release-hold", manager).status == .ok)
            #expect(try await call(client, .post, "/v1/rooms/\(room)/withdraw", fixture.controller).status == .ok)
            try await fixture.release(client, fixture.rooms[1])
            // The feed: the room's four events numbered 1...4, in the order they happened.
            let feed = try await events(client, fixture.management, "objectId=\(room)", count: 4)
            try #require(feed.items.count == 4, "\(feed.text)")
            #expect(feed.items.map { ($0["object"] as? [String: Any])?["sequence"] as? Int } == [1, 2, 3, 4])
            #expect(feed.items.map { ($0["data"] as? [String: Any])?["event"] as? String } == ["release", "hold", "release_hold", "withdraw"])
            let hold = try #require(feed.items[1]["data"] as? [String: Any])
            #expect(hold["reason"] as? String == "VIP viewing")
            #expect(hold["holdUntil"] != nil)
            // Delivered with eight at a time, yet the room's events arrive in their order.
            let relay = RelayProcess.start(world.database, .quick())
            try await fixture.waitForDeliveries(client, webhook, "five delivered") { items in
                items.count == 5 && items.allSatisfy { $0["status"] as? String == "delivered" }
            }
            await relay.kill()
            let sequences = try await receiver.received.map { try $0.json() }
                .filter { ($0["object"] as? [String: Any])?["id"] as? String == room.uuidString }
                .map { ($0["object"] as? [String: Any])?["sequence"] as? Int }
            #expect(sequences == [1, 2, 3, 4])
        }
        await receiver.stop()
        await world.database.close()
    }

    @Test func anEventExistsOnlyWhenItsChangeCommitted() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 2)
            _ = try await fixture.subscribe(client, url: "http://127.0.0.1:9/never")
            try await fixture.release(client, fixture.rooms[1])
            // All or nothing: the first room could be released, the second not (it is available already).
            let refused = try await call(client, .post, "/v1/sales-control/release", fixture.controller,
                                         ["roomIds": [fixture.rooms[0].uuidString, fixture.rooms[1].uuidString]])
            #expect(refused.status == .conflict)
            let feed = try await events(client, fixture.management, count: 1)
            #expect(feed.items.count == 1)
            #expect((feed.items.first?["object"] as? [String: Any])?["id"] as? String == fixture.rooms[1].uuidString)
            let count = try await world.database.read { work in
                try await work.events.feed(groupID: try await world.groupID(), after: nil, types: nil, objectID: fixture.rooms[0], limit: 10).count
            }
            #expect(count == 0)
        }
        await world.database.close()
    }

    @Test func customersCreatedAndReassignedAreEvents() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let hook = try await call(client, .post, "/v1/webhooks", admin,
                                      ["url": "http://127.0.0.1:9/x", "eventTypes": ["customer.created", "customer.reassigned"]])
            #expect(hook.status == .created)
            let created = try await call(client, .post, "/v1/projects/\(riverside)/customers", consultant,
                                         ["name": "Wang Fang", "source": "walk_in", "phones": [["number": "13800138000"]]])
            #expect(created.status == .created, "\(created.text)")
            let customer = try #require((created.body["customer"] as? [String: Any])?["id"] as? String)
            let me = try await call(client, .get, "/v1/me", consultant)
            let consultantID = try #require((me.body["user"] as? [String: Any])?["id"] as? String)
            let managerID = try #require(((try await call(client, .get, "/v1/me", manager)).body["user"] as? [String: Any])?["id"] as? String)
            let reassigned = try await call(client, .post, "/v1/customers/reassign", manager,
                                            ["customerIds": [customer], "ownerId": managerID, "reason": "consultant on leave"])
            #expect(reassigned.status == .ok, "\(reassigned.text)")
            let feed = try await events(client, try await signIn(client, "group.management"), "objectId=\(customer)", count: 2)
            try #require(feed.items.count == 2, "\(feed.text)")
            #expect(feed.items.map { $0["type"] as? String } == ["customer.created", "customer.reassigned"])
            #expect(feed.items.map { ($0["object"] as? [String: Any])?["sequence"] as? Int } == [1, 2])
            let first = try #require(feed.items[0]["data"] as? [String: Any])
            #expect(first["ownerId"] as? String == consultantID)
            #expect(first["projectId"] as? String == riverside.uuidString)
            #expect(!feed.text.contains("Wang Fang") && !feed.text.contains("13800138000"), "events carry no personal data")
            let second = try #require(feed.items[1]["data"] as? [String: Any])
            #expect(second["via"] as? String == "reassigned")
            #expect(second["reason"] as? String == "consultant on leave")
            #expect((second["from"] as? [String: Any])?["ownerId"] as? String == consultantID)
            #expect((second["to"] as? [String: Any])?["ownerId"] as? String == managerID)
            // Both events have a delivery to the subscribed webhook, waiting for the relay.
            let deliveries = try await call(client, .get, "/v1/webhooks/\(try hook.id())/deliveries?status=pending", admin)
            #expect(Set(deliveries.items.compactMap { $0["eventId"] as? String }) == Set(feed.items.compactMap { $0["id"] as? String }))
            // The protection period lapses (the background sweep) and the consultant claims the customer back.
            #expect(try await world.database.lapseProtections(now: Date().addingTimeInterval(4000 * 86_400)) == 1)
            #expect(try await call(client, .post, "/v1/customers/\(customer)/claim", consultant).status == .ok)
            let later = try await events(client, try await signIn(client, "group.management"), "objectId=\(customer)", count: 4)
            try #require(later.items.count == 4, "\(later.text)")
            let pooled = try #require(later.items[2]["data"] as? [String: Any])
            #expect(pooled["via"] as? String == "pooled" && pooled["actor"] as? String == "system")
            #expect((pooled["to"] as? [String: Any])?["ownerId"] is NSNull)
            let claimed = try #require(later.items[3]["data"] as? [String: Any])
            #expect(claimed["via"] as? String == "claimed")
            #expect((claimed["to"] as? [String: Any])?["ownerId"] as? String == consultantID)
            #expect(later.items.map { ($0["object"] as? [String: Any])?["sequence"] as? Int } == [1, 2, 3, 4])
        }
        await world.database.close()
    }

    @Test func theEventFeedPagesAndFilters() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 3)
            for room in fixture.rooms { try await fixture.release(client, room) }
            let management = fixture.management
            _ = try await events(client, management, count: 3)
            let firstPage = try await call(client, .get, "/v1/events?limit=2", management)
            #expect(firstPage.status == .ok, "\(firstPage.text)")
            #expect(firstPage.items.count == 2)
            let cursor = try #require(firstPage.string("nextCursor"))
            let secondPage = try await call(client, .get, "/v1/events?limit=2&cursor=\(cursor)", management)
            #expect(secondPage.items.count == 1)
            let ids = (firstPage.items + secondPage.items).compactMap { ($0["object"] as? [String: Any])?["id"] as? String }
            #expect(Set(ids) == Set(fixture.rooms.map { $0.uuidString }))
            // Polling from the last cursor: nothing new yet, and the same cursor to poll with again.
            let last = try #require(secondPage.string("nextCursor"))
            let empty = try await call(client, .get, "/v1/events?cursor=\(last)", management)
            #expect(empty.items.isEmpty && empty.string("nextCursor") == last)
            #expect(try await call(client, .get, "/v1/events?type=customer.created", management).items.isEmpty)
            for query in ["cursor=abc", "cursor=1.2.3", "type=room.sold", "objectId=42", "limit=0"] {
                let reply = try await call(client, .get, "/v1/events?\(query)", management)
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                #expect(reply.errorFields == [String(query.prefix { $0 != "=" })], "\(query): \(reply.text)")
            }
            // Without events.read: 403.
            #expect(try await call(client, .get, "/v1/events", fixture.controller).status == .forbidden)
        }
        await world.database.close()
    }

    @Test func xmlDeliveriesAreEventDocumentsOfTheirSchema() async throws {
        let world = try await IdentityWorld.make()
        let receiver = try await WebhookReceiver.start()
        let relay = RelayProcess.start(world.database, .quick())
        try await world.test { client in
            let fixture = try await WebhookFixture.make(world, client, rooms: 1)
            let (_, secret) = try await fixture.subscribe(client, url: receiver.url, format: "xml")
            try await fixture.release(client, fixture.rooms[0])
            let request = try #require(try await receiver.waitFor("the XML delivery") { !$0.isEmpty }.first)
            #expect(request.headers["content-type"] == "application/xml")
            let timestamp = try #require(request.headers["estate-timestamp"])
            #expect(request.headers["estate-signature"] == "v1=\(try await opensslSignature(secret: secret, timestamp: timestamp, body: request.body))")
            let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("schemas/webhook-event.xsd")
            let schema = try XMLSchema(bytes: Array(try Data(contentsOf: schemaURL)))
            let document = try XMLDocument.parse(request.body)
            try schema.validate(document)
            let root = document.root
            let ns = "urn:estate:webhook-event:1"
            #expect(root.name == "event" && root.namespaceURI == ns)
            #expect(root.attribute(named: "id") == request.eventID)
            #expect(root.attribute(named: "type") == "room.status_changed")
            #expect(root.firstElement(named: "object", namespaceURI: ns)?.attribute(named: "sequence") == "1")
            let data = try #require(root.firstElement(named: "data", namespaceURI: ns))
            #expect(data.firstElement(named: "to", namespaceURI: ns)?.text == "available")
            #expect(data.firstElement(named: "roomId", namespaceURI: ns)?.text == fixture.rooms[0].uuidString)
        }
        await relay.kill()
        await receiver.stop()
        await world.database.close()
    }
}
