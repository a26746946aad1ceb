import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

// Days relative to today in the demo group's time zone: `shanghaiDay` (DealMoneyTests.swift).

extension DealWorld {
    /// Gives a room 100.00 m² of forecast built area priced at 20,000.00 per m² (2,000,000.00), for area settlements.
    func priceAtTwentyThousand(_ number: String) async throws {
        try await world.sql("""
            UPDATE rooms SET built_area_forecast = 100, internal_area_forecast = 90, built_area_actual = NULL, internal_area_actual = NULL,
                   pricing_basis = 'built_area', unit_price = 20000, list_price = 2000000, floor_price = NULL
            WHERE group_id = \(groupID) AND id = \(rooms[number]!)
            """)
    }

    /// A deal of `buyer` for room `number`, subscribed 60 days ago with `subscription` (full payment with
    /// an earnest of 100,000 unless given); its id.
    func subscribedDeal(_ client: some TestClientProtocol, _ token: String, room number: String, buyer: String,
                        subscription: [String: Any]? = nil) async throws -> String {
        let reply = try await call(client, .post, "/v1/deals", token, [
            "roomId": rooms[number]!.uuidString, "buyers": [["customerId": buyer]],
            "subscription": subscription ?? ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "100000"],
                                              "subscribedOn": shanghaiDay(-60)]])
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.id().uuidString
    }

    /// Marks every current receivable of the deal paid (the collection routes are another part's).
    func payEverything(_ deal: String) async throws {
        try await world.sql("UPDATE receivables SET paid = amount WHERE group_id = \(groupID) AND deal_id = \(UUID(uuidString: deal)!)")
    }

    /// The deal's tasks as `kind status` (payment tasks by line, the deal's own by deal), in due order.
    func tasks(of deal: String) async throws -> [String] {
        let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
        defer { Task { await pool.close() } }
        let id = UUID(uuidString: deal)!
        return try await pool.query("""
            SELECT t.kind, t.status FROM tasks t
            WHERE t.group_id = \(groupID) AND (t.source_id = \(id) OR t.source_id IN (SELECT r.id FROM receivables r WHERE r.deal_id = \(id)))
            ORDER BY t.due_on, t.kind
            """).map { row in "\(try row.decode("kind", as: String.self)) \(try row.decode("status", as: String.self))" }
    }
}

/// One step through the API: the reply, checked against the spec.
/// `body` is an object or the JSON text itself.
func step(_ client: some TestClientProtocol, _ token: String, _ deal: String, _ name: String, _ body: Any,
          extra: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
    var fields = headers(token)
    for field in extra { fields[field.name] = field.value }
    let bytes = try (body as? String).map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: body)
    return try await client.execute(uri: "/v1/deals/\(deal)/\(name)", method: .post, headers: fields, body: ByteBuffer(bytes: bytes)) { response in
        try expectConforms(response, to: "POST", "/v1/deals/{id}/\(name)", sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: String(buffer: response.body))
    }
}

extension Reply {
    var stage: String? { string("stage") }
    var nextStep: String? { (body["nextStep"] as? [String: Any])?["step"] as? String }
    func object(_ key: String) -> [String: Any] { body[key] as? [String: Any] ?? [:] }
    var receivables: [[String: Any]] { body["receivables"] as? [[String: Any]] ?? [] }
}

@Suite("Deal steps")
struct DealStepTests {
    @Test func theWholeSaleOfOneRoomFromReservationToTitleAndMortgageRegistration() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            try await deals.priceAtTwentyThousand("102")
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Lin Tao", phone: "13900006666")

            // Reservation, then subscription with a commercial mortgage of 1,000,000.
            let reserved = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["102"]!.uuidString, "buyers": [["customerId": buyer]],
                "reservation": ["deposit": ["kind": "intent", "amount": "20000"], "until": moment(7 * 86_400)]])
            #expect(reserved.status == .created, "\(reserved.text)")
            let id = try reserved.id().uuidString
            #expect(try await deals.tasks(of: id).isEmpty)
            let subscribed = try await call(client, .post, "/v1/deals/\(id)/subscribe", consultant, [
                "subscription": ["paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "100000"],
                                 "subscribedOn": shanghaiDay(-60), "terms": ["commercialLoan": "1000000"]]])
            #expect(subscribed.status == .ok && subscribed.nextStep == "contract", "\(subscribed.text)")
            #expect(subscribed.object("contract")["deadline"] as? String == shanghaiDay(-30))
            // The consultant's tasks: the deposit and down payment, and the contract deadline.
            #expect(try await deals.tasks(of: id) == ["payment_due open", "payment_due open", "contract_deadline open"])
            let myTasks = try await call(client, .get, "/v1/me/tasks", consultant)
            #expect(Set(myTasks.items.compactMap { $0["kind"] as? String }).isSuperset(of: ["payment_due", "contract_deadline"]), "\(myTasks.text)")

            // An illegal step is 409 naming the stage.
            let early = try await step(client, consultant, id, "inspect", ["date": shanghaiDay(-55)])
            #expect(early.status == .conflict && early.code == "illegal-step" && early.string("currentStage") == "subscribed", "\(early.text)")

            let contracted = try await step(client, consultant, id, "contract", [
                "date": shanghaiDay(-50), "contractNumber": "HT-2026-0102", "filingNumber": "沪(2026)预字第0102号", "filedOn": shanghaiDay(-49)])
            #expect(contracted.status == .ok && contracted.stage == "contracted" && contracted.nextStep == "apply_for_mortgage", "\(contracted.text)")
            #expect(contracted.object("contract")["number"] as? String == "HT-2026-0102")
            #expect(contracted.object("contract")["filedOn"] as? String == shanghaiDay(-49))
            #expect(contracted.object("areaSettlement")["contractedArea"] as? String == "100.00")
            #expect(try await deals.roomStatus(client, consultant, "102") == "contracted")
            #expect(try await deals.tasks(of: id) == ["payment_due open", "payment_due open", "contract_deadline done"])

            // The mortgage: the amounts must be the schedule's loan.
            let wrongLoan = try await step(client, consultant, id, "apply-for-mortgage", [
                "date": shanghaiDay(-45), "bank": "ICBC Riverside", "loanAmount": "900000", "termMonths": 240])
            #expect(wrongLoan.status == .unprocessableContent && wrongLoan.code == "mortgage-amount-mismatch"
                    && wrongLoan.errorFields == ["loanAmount"], "\(wrongLoan.text)")
            let applied = try await step(client, consultant, id, "apply-for-mortgage", [
                "date": shanghaiDay(-45), "bank": "ICBC Riverside", "loanAmount": "1000000", "termMonths": 240])
            #expect(applied.status == .ok && applied.stage == "mortgage_applied", "\(applied.text)")
            #expect(try await deals.tasks(of: id).contains("mortgage_documents open"))
            let approved = try await step(client, consultant, id, "approve-mortgage", ["date": shanghaiDay(-40), "approvedAmount": "1000000.00"])
            #expect(approved.status == .ok && approved.stage == "mortgage_approved", "\(approved.text)")
            #expect(try await deals.tasks(of: id).contains("mortgage_documents done"))
            let funded = try await step(client, consultant, id, "receive-mortgage-funds", ["date": shanghaiDay(-35), "amount": "1000000"])
            #expect(funded.status == .ok && funded.nextStep == "settle_area", "\(funded.text)")
            let mortgage = funded.object("mortgage")
            #expect(mortgage["bank"] as? String == "ICBC Riverside" && mortgage["termMonths"] as? Int == 240)
            #expect(mortgage["amount"] as? String == "1000000.00" && mortgage["fundsAmount"] as? String == "1000000.00")
            #expect(mortgage["appliedOn"] as? String == shanghaiDay(-45) && mortgage["fundsArrivedOn"] as? String == shanghaiDay(-35))

            // 100 m² at 20,000/m² surveyed at 105 m²: the buyer pays 3 m² (60,000), the rest is free; may cancel.
            let settled = try await step(client, consultant, id, "settle-area", ["date": shanghaiDay(-30), "actualArea": "105"])
            #expect(settled.status == .ok && settled.stage == "area_settled", "\(settled.text)")
            let settlement = settled.object("areaSettlement")
            #expect(settlement["amount"] as? String == "60000.00" && settlement["buyerMayCancel"] as? Bool == true, "\(settlement)")
            let line = try #require(settled.receivables.last)
            #expect(line["kind"] as? String == "area_settlement" && line["amount"] as? String == "60000.00"
                    && line["dueOn"] as? String == shanghaiDay(0))
            let room = try await call(client, .get, "/v1/rooms/\(deals.rooms["102"]!)", consultant)
            #expect(room.text.contains("\"builtAreaActual\":\"105.00\""), "\(room.text)")
            #expect(try await deals.tasks(of: id).filter { $0 == "payment_due open" }.count == 3)

            // The handover.
            for (name, offset) in [("send-move-in-notice", -20), ("inspect", -15), ("hand-over-keys", -10),
                                   ("hand-over-to-property-management", -8)] {
                let reply = try await step(client, consultant, id, name, ["date": shanghaiDay(offset), "note": "done at the sales office"])
                #expect(reply.status == .ok, "\(name): \(reply.text)")
            }
            #expect(try await deals.roomStatus(client, consultant, "102") == "handed_over")
            let titled = try await step(client, consultant, id, "register-title", ["date": shanghaiDay(-5), "certificateNumber": "沪(2026)不动产权第0012345号"])
            #expect(titled.status == .ok && titled.nextStep == "register_mortgage", "\(titled.text)")
            let registered = try await step(client, consultant, id, "register-mortgage", ["date": shanghaiDay(-3)])
            #expect(registered.status == .ok && registered.nextStep == "complete", "\(registered.text)")

            // Completion needs every receivable paid.
            let unpaid = try await step(client, consultant, id, "complete", ["date": shanghaiDay(0)])
            #expect(unpaid.status == .unprocessableContent && unpaid.code == "open-balance", "\(unpaid.text)")
            try await deals.payEverything(id)
            let completed = try await step(client, consultant, id, "complete", ["date": shanghaiDay(0)])
            #expect(completed.status == .ok && completed.stage == "completed" && completed.nextStep == nil, "\(completed.text)")
            #expect(completed.string("balance") == "0.00")
            #expect((completed.body["steps"] as? [[String: Any]])?.count == 12)
            // Every task of the deal is done.
            #expect(try await deals.tasks(of: id).allSatisfy { $0.hasSuffix(" done") })

            // GET answers the same, and the history has every step in order.
            let read = try await client.execute(uri: "/v1/deals/\(id)", method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/deals/{id}")
                return try response.jsonObject()
            }
            #expect(read["stage"] as? String == "completed" && (read["contract"] as? [String: Any])?["number"] as? String == "HT-2026-0102")
            let history = try await call(client, .get, "/v1/deals/\(id)/history", consultant)
            #expect(history.items.compactMap { $0["event"] as? String } == [
                "reserve", "subscribe", "contract", "apply_for_mortgage", "approve_mortgage", "receive_mortgage_funds", "settle_area",
                "send_move_in_notice", "inspect", "hand_over_keys", "hand_over_to_property_management", "register_title",
                "register_mortgage", "complete"])
            let settleRow = try #require(history.items.first { $0["event"] as? String == "settle_area" })
            #expect((settleRow["after"] as? [String: Any])?["areaSettlement"] != nil)
            let roomHistory = try await call(client, .get, "/v1/rooms/\(deals.rooms["102"]!)/status-history", consultant)
            #expect(roomHistory.items.compactMap { $0["event"] as? String }.suffix(4) == ["reserve", "subscribe", "contract", "hand_over"])
            // Each step is audited.
            let audit = try await call(client, .get, "/v1/audit-entries?limit=500", try await signIn(client, "system.administrator"))
            #expect(audit.items.filter { ($0["action"] as? String) == "deal.settle_area" }.count == 1, "\(audit.text.prefix(300))")
        }
    }

    @Test func areaSettlementsThroughTheAPI() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            try await deals.priceAtTwentyThousand("102")
            try await deals.priceAtTwentyThousand("201")
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "He Jing", phone: "13900007777")
            // A full payment skips the mortgage steps: after the contract comes the area settlement.
            let larger = try await deals.subscribedDeal(client, consultant, room: "102", buyer: buyer)
            let smaller = try await deals.subscribedDeal(client, consultant, room: "201", buyer: buyer)
            for (id, number) in [(larger, "HT-102"), (smaller, "HT-201")] {
                let contracted = try await step(client, consultant, id, "contract", [
                    "date": shanghaiDay(-40), "contractNumber": number, "filingNumber": "YS-\(number)"])
                #expect(contracted.status == .ok && contracted.nextStep == "settle_area", "\(contracted.text)")
            }
            let mortgage = try await step(client, consultant, larger, "apply-for-mortgage", [
                "date": shanghaiDay(-30), "bank": "ICBC", "loanAmount": "1", "termMonths": 12])
            #expect(mortgage.status == .conflict && mortgage.code == "illegal-step", "\(mortgage.text)")

            // 105 m²: the buyer pays 60,000.00, a receivable due 30 days later.
            let more = try await step(client, consultant, larger, "settle-area", ["date": shanghaiDay(-30), "actualArea": "105.00"])
            #expect(more.status == .ok && more.object("areaSettlement")["amount"] as? String == "60000.00", "\(more.text)")
            #expect(more.receivables.map { $0["kind"] as? String } == ["deposit", "down_payment", "area_settlement"])
            #expect(more.string("balance") == "2060000.00" && more.string("credit") == "0.00")

            // 95 m²: 3 m² refunded at the price (60,000) and 2 m² at double (80,000): 140,000.00 owed to
            // the buyer, held as the deal's credit; no receivable; the buyer may cancel.
            let less = try await step(client, consultant, smaller, "settle-area", ["date": shanghaiDay(-30), "actualArea": "95"])
            #expect(less.status == .ok, "\(less.text)")
            let settlement = less.object("areaSettlement")
            #expect(settlement["amount"] as? String == "-140000.00" && settlement["buyerMayCancel"] as? Bool == true, "\(settlement)")
            #expect(settlement["contractedArea"] as? String == "100.00" && settlement["actualArea"] as? String == "95.00")
            #expect(less.string("credit") == "140000.00" && less.receivables.count == 2)
            let record = try #require((less.body["steps"] as? [[String: Any]])?.last?["details"] as? [String: Any])
            #expect(record["creditAdded"] as? String == "140000.00" && record["settlementAmount"] as? String == "-140000.00")

            // Within 3 %: 101 m² on a third room settles 20,000.00 and gives no right to cancel.
            try await deals.priceAtTwentyThousand("202")
            let within = try await deals.subscribedDeal(client, consultant, room: "202", buyer: buyer)
            _ = try await step(client, consultant, within, "contract", ["date": shanghaiDay(-40), "contractNumber": "HT-202", "filingNumber": "YS-202"])
            let small = try await step(client, consultant, within, "settle-area", ["date": shanghaiDay(-30), "actualArea": "101"])
            #expect(small.object("areaSettlement")["amount"] as? String == "20000.00" && small.object("areaSettlement")["buyerMayCancel"] as? Bool == false)

            // A deal holding the buyer's money as credit does not complete until it is refunded.
            for (name, offset) in [("send-move-in-notice", -20), ("inspect", -15), ("hand-over-keys", -10),
                                   ("hand-over-to-property-management", -8)] {
                #expect(try await step(client, consultant, smaller, name, ["date": shanghaiDay(offset)]).status == .ok)
            }
            #expect(try await step(client, consultant, smaller, "register-title", ["date": shanghaiDay(-5), "certificateNumber": "C-201"]).nextStep == "complete")
            try await deals.payEverything(smaller)
            let held = try await step(client, consultant, smaller, "complete", ["date": shanghaiDay(0)])
            #expect(held.status == .unprocessableContent && held.code == "credit-held", "\(held.text)")
        }
    }

    @Test func everyRefusal() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Guo Wei", phone: "13900008888")
            let id = try await deals.subscribedDeal(client, consultant, room: "101", buyer: buyer)
            let contract: [String: Any] = ["date": shanghaiDay(-50), "contractNumber": "HT-101", "filingNumber": "YS-101"]
            func refused(_ body: [String: Any], _ name: String = "contract") async throws -> Reply {
                try await step(client, consultant, id, name, body)
            }
            // 400: missing, unknown, foreign, null and malformed fields; dates in the future, before the
            // subscription, a filing before the contract; amounts not more than 0.
            #expect(try await refused(["date": shanghaiDay(-50), "filingNumber": "YS-101"]).errorFields == ["contractNumber"])
            #expect(try await refused(contract.merging(["bank": "ICBC"]) { $1 }).errorFields == ["bank"])
            #expect(try await refused(contract.merging(["colour": "red"]) { $1 }).errorFields == ["colour"])
            #expect(try await refused(contract.merging(["note": NSNull()]) { $1 }).errorFields == ["note"])
            #expect(try await refused(["contractNumber": "HT-101", "filingNumber": "YS-101"]).errorFields == ["date"])
            #expect(try await refused(contract.merging(["date": "2026-13-01"]) { $1 }).errorFields == ["date"])
            #expect(try await refused(contract.merging(["date": shanghaiDay(2)]) { $1 }).errorFields == ["date"])
            #expect(try await refused(contract.merging(["date": shanghaiDay(-61)]) { $1 }).errorFields == ["date"])
            #expect(try await refused(contract.merging(["filedOn": shanghaiDay(-51)]) { $1 }).errorFields == ["filedOn"])
            #expect(try await refused(contract.merging(["contractNumber": " HT-101"]) { $1 }).errorFields == ["contractNumber"])
            #expect(try await refused(contract.merging(["contractNumber": String(repeating: "9", count: 65)]) { $1 }).errorFields == ["contractNumber"])
            #expect(try await refused(["date": shanghaiDay(-50), "actualArea": "0"], "settle-area").errorFields == ["actualArea"])
            #expect(try await refused(["date": shanghaiDay(-50), "bank": "ICBC", "loanAmount": "1", "termMonths": 361],
                                      "apply-for-mortgage").errorFields == ["termMonths"])
            #expect(try await refused(["date": shanghaiDay(-50), "approvedAmount": "-5"], "approve-mortgage").status == .conflict)
            // A step the deal is not at: 409 naming the stage (the amount rule comes after the flow's).
            let early = try await refused(["date": shanghaiDay(-50)], "hand-over-keys")
            #expect(early.status == .conflict && early.code == "illegal-step" && early.string("currentStage") == "subscribed")
            // 404 for another group's deal and a missing one; 403 without deals.write.
            let other = try await signIn(client, "admin", group: "other")
            #expect(try await step(client, other, id, "contract", contract).status == .notFound)
            #expect(try await step(client, consultant, UUIDv7.make().uuidString, "contract", contract).status == .notFound)
            let cashier = try await signIn(client, "cashier")
            #expect(try await step(client, cashier, id, "contract", contract).status == .forbidden)
            #expect(try await deals.roomStatus(client, consultant, "101") == "subscribed")

            // The contract, once, with an Idempotency-Key: a retry replays it.
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "contract-\(id)"]
            let payload = String(decoding: try JSONSerialization.data(withJSONObject: contract), as: UTF8.self)
            let first = try await step(client, consultant, id, "contract", payload, extra: key)
            #expect(first.status == .ok && first.stage == "contracted", "\(first.text)")
            var replayHeaders = headers(consultant)
            for field in key { replayHeaders[field.name] = field.value }
            let replay = try await client.execute(uri: "/v1/deals/\(id)/contract", method: .post, headers: replayHeaders,
                                                  body: ByteBuffer(string: payload)) { response in
                (response.status, response.headers[HTTPField.Name("Idempotent-Replayed")!], String(buffer: response.body))
            }
            #expect(replay.0 == .ok && replay.1 == "true" && replay.2 == first.text, "\(replay)")
            let again = try await refused(contract)
            #expect(again.status == .conflict && again.code == "illegal-step" && again.string("currentStage") == "contracted")
            // Before the area settlement, the date may not go back before the contract.
            #expect(try await refused(["date": shanghaiDay(-51), "actualArea": "80"], "settle-area").errorFields == ["date"])

            // A contract number is unique in the project: 409, and the second deal stays as it was.
            let second = try await deals.subscribedDeal(client, consultant, room: "102", buyer: buyer)
            let taken = try await step(client, consultant, second, "contract", contract)
            #expect(taken.status == .conflict && taken.code == "contract-number-taken" && taken.errorFields == ["contractNumber"], "\(taken.text)")
            #expect(try await call(client, .get, "/v1/deals/\(second)", consultant).stage == "subscribed")
            #expect(try await deals.roomStatus(client, consultant, "102") == "subscribed")
            #expect(try await step(client, consultant, second, "contract",
                                   contract.merging(["contractNumber": "HT-102"]) { $1 }).status == .ok)

            // A room without the area its price is per cannot be contracted.
            let third = try await deals.subscribedDeal(client, consultant, room: "201", buyer: buyer)
            try await world.sql("UPDATE rooms SET built_area_forecast = NULL, internal_area_forecast = NULL WHERE id = \(deals.rooms["201"]!)")
            let noArea = try await step(client, consultant, third, "contract", contract.merging(["contractNumber": "HT-201"]) { $1 })
            #expect(noArea.status == .unprocessableContent && noArea.code == "contracted-area-unknown", "\(noArea.text)")
        }
    }

    @Test func anExpiredReservationReturnsTheRoom() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Ma Lin", phone: "13900009999")
            func reserve(_ number: String, hours: Double) async throws -> String {
                let reply = try await call(client, .post, "/v1/deals", consultant, [
                    "roomId": deals.rooms[number]!.uuidString, "buyers": [["customerId": buyer]],
                    "reservation": ["deposit": ["kind": "intent", "amount": "5000"], "until": moment(hours * 3600)]])
                #expect(reply.status == .created, "\(reply.text)")
                return try reply.id().uuidString
            }
            let soon = try await reserve("201", hours: 1)
            let later = try await reserve("202", hours: 5)
            // Nothing has expired yet.
            #expect(try await world.database.expireReservations() == 0)
            // Two hours on: the first reservation ends, the second stays.
            #expect(try await world.database.expireReservations(now: Date().addingTimeInterval(2 * 3600), batchSize: 1) == 1)
            #expect(try await deals.roomStatus(client, consultant, "201") == "available")
            #expect(try await deals.roomStatus(client, consultant, "202") == "reserved")
            let expired = try await call(client, .get, "/v1/deals/\(soon)", consultant)
            #expect(expired.stage == "cancelled" && expired.string("endedReason") == "reservation_expired" && expired.nextStep == nil)
            #expect(try await call(client, .get, "/v1/deals/\(later)", consultant).stage == "reserved")
            let history = try await call(client, .get, "/v1/deals/\(soon)/history", consultant)
            let last = try #require(history.items.last)
            #expect(last["event"] as? String == "expire_reservation" && last["actor"] as? String == "system" && last["toStage"] as? String == "cancelled")
            let roomHistory = try await call(client, .get, "/v1/rooms/\(deals.rooms["201"]!)/status-history", consultant)
            let change = try #require(roomHistory.items.last)
            #expect(change["event"] as? String == "reservation_expired" && change["dealId"] as? String == soon)
            // A second sweep finds nothing more; the room can be sold again.
            #expect(try await world.database.expireReservations(now: Date().addingTimeInterval(2 * 3600)) == 0)
            #expect(try await deals.liveDeals(room: "201") == 0)
            _ = try await reserve("201", hours: 1)
            #expect(try await deals.liveDeals(room: "201") == 1)
        }
    }

    @Test func theBuyersTimelineShowsTheDealAndItsPayments() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            let consultant = try await signIn(client, "property.consultant")
            let buyer = try await deals.customer(client, consultant, "Xu Ning", phone: "13900001234")
            let reserved = try await call(client, .post, "/v1/deals", consultant, [
                "roomId": deals.rooms["201"]!.uuidString, "buyers": [["customerId": buyer]],
                "reservation": ["deposit": ["kind": "intent", "amount": "5000"], "until": moment(86_400)]])
            let id = try reserved.id()
            #expect(try await call(client, .post, "/v1/deals/\(id)/subscribe", consultant,
                                   ["subscription": ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]]]).status == .ok)
            // A payment (the collection routes are another part's): straight into the database.
            try await world.sql("""
                INSERT INTO collections (group_id, id, deal_id, project_id, method, amount, received_on, payer, recorded_by)
                VALUES (\(deals.groupID), \(UUIDv7.make()), \(id), \(deals.riverside), 'transfer', 50000, \(LocalDate("2026-11-20")!),
                        'Xu Ning', 'user:test')
                """)
            func timeline(_ token: String) async throws -> [[String: Any]] {
                try await client.execute(uri: "/v1/customers/\(buyer)/timeline", method: .get, headers: headers(token)) { response in
                    try expectConforms(response, to: "GET", "/v1/customers/{id}/timeline")
                    return try response.jsonObject()["items"] as? [[String: Any]] ?? []
                }
            }
            // The manager reads deals and payments: both show, newest first.
            let manager = try await timeline(try await signIn(client, "sales.manager"))
            let entries = manager.filter { ["deal", "payment"].contains($0["type"] as? String) }
                .map { "\($0["type"] as? String ?? "") \(($0["detail"] as? [String: Any])?["event"] as? String ?? "")" }
            #expect(entries == ["payment ", "deal subscribe", "deal reserve"], "\(manager)")
            let payment = try #require(manager.first { $0["type"] as? String == "payment" }?["detail"] as? [String: Any])
            #expect(payment["amount"] as? String == "50000.00" && payment["dealId"] as? String == id.uuidString.lowercased() && payment["method"] as? String == "transfer")
            let deal = try #require(manager.first { $0["type"] as? String == "deal" }?["detail"] as? [String: Any])
            #expect(deal["toStage"] as? String == "subscribed" && deal["roomId"] as? String == deals.rooms["201"]!.uuidString.lowercased())
            // The consultant reads deals but not payments.
            let own = try await timeline(consultant)
            #expect(own.contains { $0["type"] as? String == "deal" } && !own.contains { $0["type"] as? String == "payment" })
        }
    }
}
