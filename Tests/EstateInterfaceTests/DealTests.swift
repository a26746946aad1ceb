import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

/// A riverside building with released, priced rooms and customers of the demo consultant.
struct DealWorld {
    let world: IdentityWorld
    let groupID: UUID
    let riverside: UUID
    /// Rooms by number: 101 (1,000,000, floor 950,000), 102 (2,000,000, no floor), 201, 202 (500,000, floor 480,000).
    let rooms: [String: UUID]

    static func make(_ client: some TestClientProtocol, _ world: IdentityWorld) async throws -> DealWorld {
        let riverside = try await world.unitID("riverside")
        let groupID = try await world.groupID()
        let controller = try await signIn(client, "sales.controller")
        let building = try await world.building(client, controller, project: riverside, code: "d1")
        let rooms = try await world.rooms(client, controller, building: building, floors: 1...2, perFloor: 2)
        try await world.sql("""
            UPDATE rooms r SET unit_price = 10000, list_price = x.list_price, floor_price = x.floor_price, status = 'available'
            FROM (VALUES (\(rooms["101"]!), 1000000::numeric, 950000::numeric), (\(rooms["102"]!), 2000000::numeric, NULL::numeric),
                         (\(rooms["201"]!), 500000::numeric, 480000::numeric), (\(rooms["202"]!), 500000::numeric, 480000::numeric))
                 AS x(id, list_price, floor_price)
            WHERE r.group_id = \(groupID) AND r.id = x.id::uuid
            """)
        return DealWorld(world: world, groupID: groupID, riverside: riverside, rooms: rooms)
    }

    /// A customer of the signed-in consultant in riverside.
    func customer(_ client: some TestClientProtocol, _ token: String, _ name: String, phone: String) async throws -> String {
        let reply = try await call(client, .post, "/v1/projects/\(riverside)/customers", token,
                                   ["name": name, "source": "walk_in", "phones": [["number": phone]]])
        #expect(reply.status == .created, "\(reply.text)")
        return try #require((reply.body["customer"] as? [String: Any])?["id"] as? String)
    }

    func roomStatus(_ client: some TestClientProtocol, _ token: String, _ number: String) async throws -> String? {
        try await call(client, .get, "/v1/rooms/\(rooms[number]!)", token).string("status")
    }

    func liveDeals(room number: String) async throws -> Int {
        let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
        defer { Task { await pool.close() } }
        let rows = try await pool.query("""
            SELECT count(*) AS n FROM deals WHERE group_id = \(groupID) AND room_id = \(rooms[number]!) AND stage NOT IN ('cancelled', 'terminated')
            """)
        return Int(try rows.firstRow!.decode("n", as: Int64.self))
    }
}

func moment(_ seconds: TimeInterval) -> String {
    ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
}

func sum(_ lines: [[String: Any]], _ key: String = "amount") -> Money {
    lines.reduce(Money.zero) { $0 + (Money($1[key] as? String ?? "") ?? Money(minorUnits: 1_000_000_000_000)) }
}

@Suite("Deals")
struct DealTests {
    @Test func reservationThenSubscriptionMovesTheRoomAndMakesTheSchedule() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Wang Fang", phone: "13900001111")
            let spouse = try await deals.customer(client, consultant, "Zhao Lei", phone: "13900002222")

            let reserved = try await client.execute(uri: "/v1/deals", method: .post, headers: headers(consultant), body: try jsonBody([
                "roomId": deals.rooms["101"]!.uuidString, "buyers": [["customerId": buyer]],
                "reservation": ["deposit": ["kind": "intent", "amount": "20000"], "until": moment(7 * 86_400)],
            ])) { response in
                try expectConforms(response, to: "POST", "/v1/deals")
                #expect(response.status == .created, "\(response.text)")
                #expect(response.headers[.location]?.hasPrefix("/v1/deals/") == true)
                return try response.jsonObject()
            }
            let id = try #require(reserved["id"] as? String)
            #expect(reserved["stage"] as? String == "reserved")
            #expect((reserved["nextStep"] as? [String: Any])?["step"] as? String == "subscribe")
            #expect((reserved["receivables"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["deposit"])
            #expect(reserved["balance"] as? String == "20000.00")
            #expect(try await deals.roomStatus(client, consultant, "101") == "reserved")

            // Subscribed: full payment with earnest money; the unpaid intent line gives way to the new schedule.
            let subscribed = try await client.execute(uri: "/v1/deals/\(id)/subscribe", method: .post, headers: headers(consultant), body: try jsonBody([
                "buyers": [["customerId": buyer, "shareBasisPoints": 6000], ["customerId": spouse, "shareBasisPoints": 4000]],
                "subscription": ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"],
                                 "subscribedOn": "2026-11-28", "terms": ["downPaymentDueDays": 10]],
            ])) { response in
                try expectConforms(response, to: "POST", "/v1/deals/{id}/subscribe")
                #expect(response.status == .ok, "\(response.text)")
                return try response.jsonObject()
            }
            #expect(subscribed["stage"] as? String == "subscribed")
            let pricing = try #require(subscribed["pricing"] as? [String: Any])
            #expect(pricing["finalPrice"] as? String == "1000000.00" && pricing["paymentMethod"] as? String == "full")
            let lines = try #require(subscribed["receivables"] as? [[String: Any]])
            #expect(lines.map { $0["kind"] as? String } == ["deposit", "down_payment"])
            #expect(lines.map { $0["amount"] as? String } == ["50000.00", "950000.00"])
            #expect(lines.map { $0["dueOn"] as? String } == ["2026-11-28", "2026-12-08"])
            #expect(sum(lines) == Money(yuan: 1_000_000))
            #expect((subscribed["buyers"] as? [[String: Any]])?.map { $0["shareBasisPoints"] as? Int } == [6000, 4000])
            #expect((subscribed["nextStep"] as? [String: Any])?["step"] as? String == "contract")
            #expect(try await deals.roomStatus(client, consultant, "101") == "subscribed")

            // Read back, listed, and its history: two rows, reserve then subscribe.
            let read = try await call(client, .get, "/v1/deals/\(id)", consultant)
            #expect(read.status == .ok && read.etag == "\"2\"" && read.string("stage") == "subscribed")
            let listed = try await call(client, .get, "/v1/deals?projectId=\(deals.riverside)&stage=subscribed", consultant)
            #expect(listed.items.map { $0["id"] as? String } == [id])
            let history = try await client.execute(uri: "/v1/deals/\(id)/history", method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/deals/{id}/history")
                return try response.jsonObject()
            }
            let events = (history["items"] as? [[String: Any]] ?? []).map { "\($0["event"] as? String ?? "") \($0["toStage"] as? String ?? "")" }
            #expect(events == ["reserve reserved", "subscribe subscribed"])
            // The room's own history names the deal.
            let roomHistory = try await call(client, .get, "/v1/rooms/\(deals.rooms["101"]!)/status-history", consultant)
            #expect(roomHistory.items.compactMap { $0["event"] as? String }.suffix(2) == ["reserve", "subscribe"])
        }
    }

    @Test func directSubscriptionsForEveryMethodAndTheFloorPrice() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Sun Hao", phone: "13900003333")
            func subscribe(_ room: String, _ subscription: [String: Any]) async throws -> Reply {
                try await call(client, .post, "/v1/deals", consultant, [
                    "roomId": deals.rooms[room]!.uuidString, "buyers": [["customerId": buyer]], "subscription": subscription])
            }
            // Instalments: 30 % down (deposit included), 3 instalments every 2 months, the remainder on the last.
            let instalments = try await subscribe("102", ["paymentMethod": "instalments", "deposit": ["kind": "earnest", "amount": "100000"],
                                                          "subscribedOn": "2026-01-31",
                                                          "terms": ["downPaymentRatio": 3000, "instalmentCount": 3, "instalmentIntervalMonths": 2]])
            #expect(instalments.status == .created, "\(instalments.text)")
            let lines = instalments.body["receivables"] as? [[String: Any]] ?? []
            #expect(lines.map { $0["kind"] as? String } == ["deposit", "down_payment", "instalment", "instalment", "instalment"])
            #expect(sum(lines) == Money(yuan: 2_000_000))
            #expect(lines.map { $0["amount"] as? String } == ["100000.00", "500000.00", "466666.66", "466666.66", "466666.68"])
            #expect(lines.compactMap { $0["dueOn"] as? String }.last == "2026-07-31")
            // A mortgage: the bank's loan is a receivable of the lender.
            let mortgage = try await subscribe("201", ["paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "20000"],
                                                       "terms": ["commercialLoan": "300000"]])
            #expect(mortgage.status == .created, "\(mortgage.text)")
            let mortgageLines = mortgage.body["receivables"] as? [[String: Any]] ?? []
            #expect(mortgageLines.map { $0["kind"] as? String } == ["deposit", "down_payment", "commercial_loan"])
            #expect(mortgageLines.map { $0["payer"] as? String } == ["buyer", "buyer", "commercial_lender"])
            #expect(sum(mortgageLines) == Money(yuan: 500_000))
            // A loan that leaves too small a down payment names the field.
            let greedy = try await subscribe("202", ["paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "20000"],
                                                     "terms": ["commercialLoan": "480000"]])
            #expect(greedy.status == .badRequest && greedy.errorFields == ["subscription.terms.commercialLoan"], "\(greedy.text)")
            // Earnest money is at most 20 % of the price.
            let earnest = try await subscribe("202", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "100001"]])
            #expect(earnest.status == .badRequest && earnest.errorFields.contains("subscription.deposit.amount"), "\(earnest.text)")
            // Below the floor price without approval: 422, and nothing was written.
            let scheme = try await call(client, .post, "/v1/projects/\(deals.riverside)/discount-schemes", try await signIn(client, "sales.controller"),
                                        ["code": "deep", "name": "Deep cut", "kind": "fixed_amount", "amount": "30000", "stackingOrder": 1])
            #expect(scheme.status == .created, "\(scheme.text)")
            let floor = try await subscribe("202", ["paymentMethod": "full", "deposit": ["kind": "intent", "amount": "10000"],
                                                    "discountIds": [try scheme.id().uuidString]])
            #expect(floor.status == .unprocessableContent && floor.code == "floor-price-approval-required", "\(floor.text)")
            #expect(try await deals.roomStatus(client, consultant, "202") == "available")
            #expect(try await deals.liveDeals(room: "202") == 0)
        }
    }

    @Test func refusals() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")
            let buyer = try await deals.customer(client, consultant, "Qian Yu", phone: "13900004444")
            let reservation: [String: Any] = ["deposit": ["kind": "intent", "amount": "20000"], "until": moment(86_400)]
            // Both or neither of reservation and subscription; shares not adding up; an unknown customer.
            #expect(try await call(client, .post, "/v1/deals", consultant, ["roomId": deals.rooms["101"]!.uuidString,
                                                                            "buyers": [["customerId": buyer]]]).errorFields == ["reservation"])
            let shares = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["101"]!.uuidString, "reservation": reservation,
                "buyers": [["customerId": buyer, "shareBasisPoints": 5000], ["customerId": UUIDv7.make().uuidString, "shareBasisPoints": 4000]]])
            #expect(shares.status == .badRequest && shares.errorFields == ["buyers"], "\(shares.text)")
            let stranger = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["101"]!.uuidString, "reservation": reservation, "buyers": [["customerId": UUIDv7.make().uuidString]]])
            #expect(stranger.status == .unprocessableContent && stranger.errorFields == ["buyers[0].customerId"], "\(stranger.text)")
            let past = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["101"]!.uuidString, "buyers": [["customerId": buyer]],
                "reservation": ["deposit": ["kind": "intent", "amount": "20000"], "until": moment(-60)]])
            #expect(past.errorFields == ["reservation.until"])
            // A room not on sale: 409 naming its status.
            try await world.sql("UPDATE rooms SET status = 'not_released' WHERE id = \(deals.rooms["102"]!)")
            let closed = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["102"]!.uuidString, "buyers": [["customerId": buyer]], "reservation": reservation])
            #expect(closed.status == .conflict && closed.code == "illegal-transition", "\(closed.text)")
            // A reserved room cannot be reserved again; the deal cannot be subscribed twice.
            let first = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["101"]!.uuidString, "buyers": [["customerId": buyer]], "reservation": reservation])
            #expect(first.status == .created, "\(first.text)")
            let again = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["101"]!.uuidString, "buyers": [["customerId": buyer]], "reservation": reservation])
            #expect(again.status == .conflict)
            let id = try first.id()
            let subscription: [String: Any] = ["subscription": ["paymentMethod": "full"]]
            #expect(try await call(client, .post, "/v1/deals/\(id)/subscribe", consultant, subscription).status == .ok)
            let twice = try await call(client, .post, "/v1/deals/\(id)/subscribe", consultant, subscription)
            #expect(twice.status == .conflict && twice.code == "illegal-step" && twice.string("currentStage") == "subscribed", "\(twice.text)")
            // A payment method the schedule does not know.
            let unknownMethod = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["201"]!.uuidString, "buyers": [["customerId": buyer]],
                "subscription": ["paymentMethod": "barter", "deposit": ["kind": "intent", "amount": "1"]]])
            #expect(unknownMethod.errorFields == ["subscription.paymentMethod"])
            // Another group's deal is not found; without deals.create, forbidden.
            #expect(try await call(client, .get, "/v1/deals/\(id)", other).status == .notFound)
            #expect(try await call(client, .post, "/v1/deals/\(id)/subscribe", other, subscription).status == .notFound)
            #expect(try await call(client, .get, "/v1/deals?projectId=\(deals.riverside)", other).items.isEmpty)
            let cashier = try await signIn(client, "cashier")
            #expect(try await call(client, .post, "/v1/deals", cashier, [
                "roomId": deals.rooms["201"]!.uuidString, "buyers": [["customerId": buyer]], "reservation": reservation]).status == .forbidden)
        }
    }

    @Test func fiftyConcurrentSubscriptionsOfOneRoomMakeOneDeal() async throws {
        let world = try await IdentityWorld.make(acquireTimeout: .seconds(120))
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            var customers: [String] = []
            for index in 0..<50 {
                customers.append(try await deals.customer(client, consultant, "Buyer \(index)", phone: "1370000\(String(format: "%04d", index))"))
            }
            let room = deals.rooms["101"]!.uuidString
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for customer in customers {
                    group.addTask {
                        try await call(client, .post, "/v1/deals", consultant, [
                            "roomId": room, "buyers": [["customerId": customer]],
                            "subscription": ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]]]).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 49, "\(statuses.map(\.code))")
            #expect(try await deals.liveDeals(room: "101") == 1)
            #expect(try await deals.roomStatus(client, consultant, "101") == "subscribed")
        }
    }

    @Test func idempotentRetriesExecuteOnce() async throws {
        let world = try await IdentityWorld.make(acquireTimeout: .seconds(120))
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Zhou Min", phone: "13900005555")
            let body: [String: Any] = ["roomId": deals.rooms["201"]!.uuidString, "buyers": [["customerId": buyer]],
                                       "reservation": ["deposit": ["kind": "intent", "amount": "5000"], "until": moment(86_400)]]
            let payload = try JSONSerialization.data(withJSONObject: body)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "reserve-201-\(UUID().uuidString)"]
            // Twenty concurrent retries of one request: one deal, every answer the same deal.
            struct Answer: Sendable { let status: HTTPResponse.Status; let id: String?; let text: String }
            let replies = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let reply = try await call(client, .post, "/v1/deals", consultant, String(decoding: payload, as: UTF8.self), extra: key)
                        return Answer(status: reply.status, id: reply.string("id"), text: reply.text)
                    }
                }
                return try await group.reduce(into: [Answer]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .created }, "\(replies.map { "\($0.status.code) \($0.text)" })")
            #expect(Set(replies.compactMap(\.id)).count == 1)
            #expect(try await deals.liveDeals(room: "201") == 1)
            // A later retry replays; the same key with another body is 422; a bad key is 400.
            let replay = try await call(client, .post, "/v1/deals", consultant, String(decoding: payload, as: UTF8.self), extra: key)
            #expect(replay.status == .created && replay.string("id") == replies[0].id)
            var changed = body
            changed["roomId"] = deals.rooms["202"]!.uuidString
            let reused = try await call(client, .post, "/v1/deals", consultant, changed, extra: key)
            #expect(reused.status == .unprocessableContent && reused.code == "idempotency-key-reused", "\(reused.text)")
            #expect(try await deals.liveDeals(room: "202") == 0)
            let bad = try await call(client, .post, "/v1/deals", consultant, changed, extra: [HTTPField.Name("Idempotency-Key")!: "has space"])
            #expect(bad.status == .badRequest && bad.errorFields == ["Idempotency-Key"])
            // Without a key, a second reservation of the same room is refused (the first holds it).
            #expect(try await call(client, .post, "/v1/deals", consultant, body).status == .conflict)
        }
    }
}
