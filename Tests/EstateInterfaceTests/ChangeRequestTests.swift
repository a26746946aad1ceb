import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

/// Sends a request and checks the response against the spec's description of `path`.
func checked(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ path: String, _ token: String,
             _ body: Any? = nil, extra: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
    var fields = headers(token)
    for field in extra { fields[field.name] = field.value }
    let buffer = try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
    return try await client.execute(uri: uri, method: method, headers: fields, body: buffer) { (response: TestResponse) throws -> Reply in
        try expectConforms(response, to: method.rawValue, path, sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: String(buffer: response.body))
    }
}

/// The deal world with the sales office's people signed in, and the steps of a change request.
struct ChangeDesk {
    let client: any TestClientProtocol
    let deals: DealWorld
    /// deals.create and deals.write.
    let consultant: String
    /// deals.write, deals.approve, deals.cancel.
    let manager: String
    /// deals.approve and deals.cancel, no deals.write.
    let city: String
    let buyer: String

    static func make(_ client: any TestClientProtocol, _ world: IdentityWorld) async throws -> ChangeDesk {
        let deals = try await DealWorld.make(client, world)
        let consultant = try await signIn(client, "property.consultant")
        return ChangeDesk(client: client, deals: deals, consultant: consultant, manager: try await signIn(client, "sales.manager"),
                          city: try await signIn(client, "city.sales.management"),
                          buyer: try await deals.customer(client, consultant, "Lin Hui", phone: "13900007777"))
    }

    /// A deal subscribed directly with full payment and `deposit` (kind, amount).
    func subscribed(_ room: String, deposit: (String, String) = ("earnest", "50000"), subscription: [String: Any] = [:]) async throws -> String {
        var body: [String: Any] = ["paymentMethod": "full", "deposit": ["kind": deposit.0, "amount": deposit.1], "subscribedOn": "2026-11-02"]
        body.merge(subscription) { _, new in new }
        let reply = try await call(client, .post, "/v1/deals", consultant, [
            "roomId": deals.rooms[room]!.uuidString, "buyers": [["customerId": buyer]], "subscription": body])
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.id().uuidString
    }

    /// A deal reserving `room` with intent money.
    func reserved(_ room: String, intent: String = "20000") async throws -> String {
        let reply = try await call(client, .post, "/v1/deals", consultant, [
            "roomId": deals.rooms[room]!.uuidString, "buyers": [["customerId": buyer]],
            "reservation": ["deposit": ["kind": "intent", "amount": intent], "until": moment(7 * 86_400)]])
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.id().uuidString
    }

    func request(_ deal: String, _ token: String, _ body: [String: Any]) async throws -> Reply {
        try await checked(client, .post, "/v1/deals/\(deal)/change-requests", "/v1/deals/{id}/change-requests", token, body)
    }

    func approve(_ id: String, _ token: String, note: String? = nil) async throws -> Reply {
        try await checked(client, .post, "/v1/change-requests/\(id)/approve", "/v1/change-requests/{id}/approve", token,
                          note.map { ["note": $0] } ?? [:])
    }

    func execute(_ id: String, _ token: String, key: String? = nil) async throws -> Reply {
        try await checked(client, .post, "/v1/change-requests/\(id)/execute", "/v1/change-requests/{id}/execute", token,
                          extra: key.map { [HTTPField.Name("Idempotency-Key")!: $0] } ?? [:])
    }

    /// Requested (201), approved by `approver` (200) and executed (200): the executed request.
    func carryOut(_ deal: String, _ body: [String: Any], requester: String? = nil, approver: String? = nil) async throws -> Reply {
        let requested = try await request(deal, requester ?? consultant, body)
        #expect(requested.status == .created && requested.string("status") == "pending", "\(requested.text)")
        let id = try requested.id().uuidString
        let approved = try await approve(id, approver ?? manager, note: "agreed")
        #expect(approved.status == .ok && approved.string("status") == "approved", "\(approved.text)")
        let executed = try await execute(id, requester ?? consultant)
        #expect(executed.status == .ok && executed.string("status") == "executed", "\(executed.text)")
        return executed
    }

    func deal(_ id: String) async throws -> Reply {
        let reply = try await call(client, .get, "/v1/deals/\(id)", consultant)
        #expect(reply.status == .ok, "\(reply.text)")
        return reply
    }

    /// Marks lines of the deal collected straight in the database (collections are another route's work).
    func pay(_ deal: String, _ kind: String, _ amount: String? = nil) async throws {
        let paid: SQL = amount.map { "least(amount, \($0)::numeric)" } ?? "amount"
        try await deals.world.sql("""
            UPDATE receivables SET paid = \(paid) WHERE deal_id = \(UUID(uuidString: deal)!) AND kind = \(kind) AND superseded_at IS NULL
            """)
    }
}

extension Reply {
    func object(_ path: String...) -> [String: Any] {
        path.reduce(body) { ($0[$1] as? [String: Any]) ?? [:] }
    }
}

func lines(_ deal: Reply) -> [[String: Any]] { deal.body["receivables"] as? [[String: Any]] ?? [] }
func column(_ lines: [[String: Any]], _ key: String) -> [String] { lines.map { $0[key] as? String ?? "" } }

@Suite("Special transactions")
struct ChangeRequestTests {
    @Test func changeOfRoomMovesTheDealRepricesAndReleasesTheOldRoom() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            // Subscribed on 202 (500,000) with the earnest paid; moved to 101 (1,000,000).
            let id = try await desk.subscribed("202")
            try await desk.pay(id, "deposit")
            let requested = try await desk.request(id, desk.consultant, ["kind": "change_room", "reason": "Wants a bigger flat",
                                                                         "roomId": desk.deals.rooms["101"]!.uuidString])
            #expect(requested.status == .created, "\(requested.text)")
            let preview = requested.object("after", "deal")
            #expect(preview["roomId"] as? String == desk.deals.rooms["101"]!.uuidString)
            #expect((preview["pricing"] as? [String: Any])?["finalPrice"] as? String == "1000000.00")
            #expect(requested.object("before", "deal")["roomId"] as? String == desk.deals.rooms["202"]!.uuidString)
            // Nothing moved yet.
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "101") == "available")
            let approved = try await desk.approve(try requested.id().uuidString, desk.manager)
            #expect(approved.status == .ok && approved.string("decidedBy")?.hasPrefix("user:") == true)
            let done = try await desk.execute(try requested.id().uuidString, desk.consultant, key: "move-\(id)")
            #expect(done.status == .ok && done.string("status") == "executed", "\(done.text)")
            // A retry with the same key replays the answer.
            let replay = try await call(client, .post, "/v1/change-requests/\(try requested.id())/execute", desk.consultant,
                                        extra: [HTTPField.Name("Idempotency-Key")!: "move-\(id)"])
            #expect(replay.status == .ok && replay.string("status") == "executed")

            let deal = try await desk.deal(id)
            #expect(deal.string("roomId") == desk.deals.rooms["101"]!.uuidString && deal.string("stage") == "subscribed")
            #expect((deal.body["pricing"] as? [String: Any])?["finalPrice"] as? String == "1000000.00")
            #expect(column(lines(deal), "kind") == ["deposit", "down_payment"])
            #expect(column(lines(deal), "amount") == ["50000.00", "950000.00"])
            #expect(column(lines(deal), "paid") == ["50000.00", "0.00"])
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "101") == "subscribed")
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "202") == "available")
            let oldRoom = try await call(client, .get, "/v1/rooms/\(desk.deals.rooms["202"]!)/status-history", desk.consultant)
            #expect(oldRoom.items.compactMap { $0["event"] as? String }.suffix(2) == ["subscribe", "cancel_deal"])
            let history = try await call(client, .get, "/v1/deals/\(id)/history", desk.consultant)
            let last = try #require(history.items.last)
            #expect(last["event"] as? String == "change_room" && last["reason"] as? String == "Wants a bigger flat")
            #expect(((last["before"] as? [String: Any])?["deal"] as? [String: Any])?["roomId"] as? String == desk.deals.rooms["202"]!.uuidString)

            // A reserved deal moves with its reservation; a room that is not available is refused at once.
            let reservation = try await desk.reserved("201")
            let taken = try await desk.request(reservation, desk.consultant, ["kind": "change_room", "reason": "x", "roomId": desk.deals.rooms["101"]!.uuidString])
            #expect(taken.status == .conflict && taken.code == "illegal-transition" && taken.string("currentStatus") == "subscribed", "\(taken.text)")
            let priced = try await desk.request(reservation, desk.consultant, ["kind": "change_room", "reason": "x", "paymentMethod": "full",
                                                                               "roomId": desk.deals.rooms["202"]!.uuidString])
            #expect(priced.status == .badRequest && priced.errorFields == ["paymentMethod"], "\(priced.text)")
            _ = try await desk.carryOut(reservation, ["kind": "change_room", "reason": "Prefers the view", "roomId": desk.deals.rooms["202"]!.uuidString])
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "202") == "reserved")
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "201") == "available")

            // The database's one live deal per room still guards the new room: 201, approved as the new room, is
            // reserved by another deal meanwhile, its status (wrongly) shown available.
            let move = try await desk.request(reservation, desk.consultant, ["kind": "change_room", "reason": "x", "roomId": desk.deals.rooms["201"]!.uuidString])
            let moveID = try move.id().uuidString
            #expect(try await desk.approve(moveID, desk.manager).status == .ok)
            let other = try await desk.reserved("201")
            try await world.sql("UPDATE rooms SET status = 'available' WHERE id = \(desk.deals.rooms["201"]!)")
            let clash = try await desk.execute(moveID, desk.consultant)
            #expect(clash.status == .conflict && clash.code == "room-taken", "\(clash.text)")
            #expect(try await desk.deals.liveDeals(room: "201") == 1)
            #expect(try await desk.deal(other).string("roomId") == desk.deals.rooms["201"]!.uuidString)
            #expect(try await desk.deal(reservation).string("roomId") == desk.deals.rooms["202"]!.uuidString)
            // An approved request that cannot be executed is rejected, which frees its kind.
            let withdrawn = try await checked(client, .post, "/v1/change-requests/\(moveID)/reject", "/v1/change-requests/{id}/reject",
                                              desk.manager, ["note": "Room 201 is sold"])
            #expect(withdrawn.status == .ok && withdrawn.string("status") == "rejected" && withdrawn.string("decisionNote") == "Room 201 is sold")
        }
    }

    @Test func changeOfBuyersReplacesThemWithTheirShares() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let spouse = try await desk.deals.customer(client, desk.consultant, "Zhao Lei", phone: "13900008888")
            let id = try await desk.subscribed("101")
            let bad = try await desk.request(id, desk.consultant, ["kind": "change_buyers", "reason": "Adds his wife",
                                                                   "buyers": [["customerId": desk.buyer, "shareBasisPoints": 5000],
                                                                              ["customerId": spouse, "shareBasisPoints": 4000]]])
            #expect(bad.status == .badRequest && bad.errorFields == ["buyers"], "\(bad.text)")
            let stranger = try await desk.request(id, desk.consultant, ["kind": "change_buyers", "reason": "Adds his wife",
                                                                        "buyers": [["customerId": UUIDv7.make().uuidString]]])
            #expect(stranger.status == .unprocessableContent && stranger.errorFields == ["buyers[0].customerId"], "\(stranger.text)")
            let done = try await desk.carryOut(id, ["kind": "change_buyers", "reason": "Adds his wife",
                                                    "buyers": [["customerId": desk.buyer, "shareBasisPoints": 6000],
                                                               ["customerId": spouse, "shareBasisPoints": 4000]]])
            #expect((done.object("after", "deal")["buyers"] as? [[String: Any]])?.count == 2)
            let deal = try await desk.deal(id)
            #expect((deal.body["buyers"] as? [[String: Any]])?.map { $0["shareBasisPoints"] as? Int } == [6000, 4000])
            let history = try await call(client, .get, "/v1/deals/\(id)/history", desk.consultant)
            let last = try #require(history.items.last)
            #expect(last["event"] as? String == "change_buyers")
            #expect((((last["before"] as? [String: Any])?["deal"] as? [String: Any])?["buyers"] as? [Any])?.count == 1)
            #expect((((last["after"] as? [String: Any])?["deal"] as? [String: Any])?["buyers"] as? [Any])?.count == 2)
        }
    }

    @Test func changeOfDiscountRegeneratesTheScheduleKeepingPaidMoney() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let controller = try await signIn(client, "sales.controller")
            let scheme = try await call(client, .post, "/v1/projects/\(desk.deals.riverside)/discount-schemes", controller,
                                        ["code": "loyal", "name": "Loyal buyer", "kind": "fixed_amount", "amount": "30000", "stackingOrder": 1])
            #expect(scheme.status == .created, "\(scheme.text)")
            let deep = try await call(client, .post, "/v1/projects/\(desk.deals.riverside)/discount-schemes", controller,
                                      ["code": "deep", "name": "Deep cut", "kind": "fixed_amount", "amount": "60000", "stackingOrder": 2])
            // Fully paid at 1,000,000; 30,000 off: the down payment line keeps 920,000, 30,000 goes to credit.
            let id = try await desk.subscribed("101")
            try await desk.pay(id, "deposit")
            try await desk.pay(id, "down_payment")
            let done = try await desk.carryOut(id, ["kind": "change_discount", "reason": "Loyalty discount agreed",
                                                    "discountIds": [try scheme.id().uuidString]])
            #expect(done.object("after")["releasedToCredit"] as? String == "30000.00")
            #expect(done.object("after")["belowFloor"] as? Bool == false)
            let deal = try await desk.deal(id)
            #expect((deal.body["pricing"] as? [String: Any])?["finalPrice"] as? String == "970000.00")
            #expect(column(lines(deal), "amount") == ["50000.00", "920000.00"] && column(lines(deal), "paid") == ["50000.00", "920000.00"])
            #expect(deal.string("credit") == "30000.00" && deal.string("balance") == "0.00")
            // Below the floor (950,000): the preview says so, and approving the request approves the price.
            let below = try await desk.request(id, desk.consultant, ["kind": "change_discount", "reason": "Deeper cut",
                                                                     "discountIds": [try scheme.id().uuidString, try deep.id().uuidString]])
            #expect(below.status == .created && below.object("after")["belowFloor"] as? Bool == true, "\(below.text)")
            #expect(try await desk.approve(try below.id().uuidString, desk.manager).status == .ok)
            #expect(try await desk.execute(try below.id().uuidString, desk.consultant).status == .ok)
            let cheaper = try await desk.deal(id)
            let pricing = cheaper.body["pricing"] as? [String: Any] ?? [:]
            #expect(pricing["finalPrice"] as? String == "910000.00" && pricing["priceApprovalId"] as? String == below.string("id"))
            #expect(cheaper.string("credit") == "90000.00")
        }
    }

    @Test func changeOfPaymentMethodRegeneratesAndSendsMortgageDealsBackToContracted() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            // 2,000,000 in full: deposit 100,000 paid, 500,000 of the down payment paid; then a 1,400,000 commercial loan.
            let id = try await desk.subscribed("102", deposit: ("earnest", "100000"))
            try await desk.pay(id, "deposit")
            try await desk.pay(id, "down_payment", "500000")
            let unusable = try await desk.request(id, desk.consultant, ["kind": "change_payment_method", "reason": "Bank loan",
                                                                        "paymentMethod": "commercial_mortgage", "terms": ["commercialLoan": "1500000"]])
            #expect(unusable.status == .badRequest && unusable.errorFields == ["terms.commercialLoan"], "\(unusable.text)")
            _ = try await desk.carryOut(id, ["kind": "change_payment_method", "reason": "Bank loan",
                                             "paymentMethod": "commercial_mortgage", "terms": ["commercialLoan": "1400000"]])
            let deal = try await desk.deal(id)
            #expect(column(lines(deal), "kind") == ["deposit", "down_payment", "commercial_loan"])
            #expect(column(lines(deal), "amount") == ["100000.00", "500000.00", "1400000.00"])
            #expect(column(lines(deal), "paid") == ["100000.00", "500000.00", "0.00"])
            #expect(deal.string("stage") == "subscribed" && (deal.body["pricing"] as? [String: Any])?["paymentMethod"] as? String == "commercial_mortgage")
            // While the mortgage is applied for, going back to full payment returns the deal to contracted.
            try await world.sql("UPDATE deals SET stage = 'mortgage_applied' WHERE id = \(UUID(uuidString: id)!)")
            let back = try await desk.carryOut(id, ["kind": "change_payment_method", "reason": "Loan refused", "paymentMethod": "full"])
            #expect(back.object("after", "deal")["stage"] as? String == "contracted")
            let contracted = try await desk.deal(id)
            #expect(contracted.string("stage") == "contracted")
            // The paid lines kept, the loan gone, the rest of the price a new down payment line.
            #expect(column(lines(contracted), "kind") == ["deposit", "down_payment", "down_payment"])
            #expect(column(lines(contracted), "amount") == ["100000.00", "500000.00", "1400000.00"])
            #expect(column(lines(contracted), "paid") == ["100000.00", "500000.00", "0.00"])
            #expect(sum(lines(contracted)) == Money(yuan: 2_000_000))
        }
    }

    /// Earnest or intent money, and the three reasons: what is refunded, forfeited, or paid on top.
    @Test func cancellationRefundsByDepositKindAndReason() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            // (deposit kind, reason, toBuyer, forfeited, penalty, credit after)
            let cases: [(String, String, String, String, String, String)] = [
                ("earnest", "buyer_default", "100000.00", "50000.00", "0.00", "100000.00"),
                ("earnest", "developer_fault", "200000.00", "0.00", "50000.00", "150000.00"),
                ("earnest", "mutual", "150000.00", "0.00", "0.00", "150000.00"),
                ("intent", "buyer_default", "20000.00", "0.00", "0.00", "20000.00"),
                ("intent", "developer_fault", "20000.00", "0.00", "0.00", "20000.00"),
                ("intent", "mutual", "20000.00", "0.00", "0.00", "20000.00"),
            ]
            for (kind, reason, toBuyer, forfeited, penalty, credit) in cases {
                // Earnest: a subscription with the earnest and 100,000 of the down payment paid. Intent: a paid reservation.
                let id: String
                if kind == "earnest" {
                    id = try await desk.subscribed("201")
                    try await desk.pay(id, "deposit")
                    try await desk.pay(id, "down_payment", "100000")
                } else {
                    id = try await desk.reserved("201")
                    try await desk.pay(id, "deposit")
                }
                // The consultant may not cancel; the manager asks, city sales management approves, the manager executes.
                let refused = try await desk.request(id, desk.consultant, ["kind": "cancellation", "reason": "x", "refundReason": reason])
                #expect(refused.status == .forbidden, "\(refused.text)")
                let done = try await desk.carryOut(id, ["kind": "cancellation", "reason": "Buyer cancels (\(reason))", "refundReason": reason],
                                                   requester: desk.manager, approver: desk.city)
                let refund = done.object("after", "refund")
                #expect(refund["depositKind"] as? String == kind && refund["refundReason"] as? String == reason, "\(done.text)")
                #expect(refund["toBuyer"] as? String == toBuyer, "\(kind) \(reason)")
                #expect(refund["forfeitedEarnest"] as? String == forfeited, "\(kind) \(reason)")
                #expect(refund["earnestPenalty"] as? String == penalty, "\(kind) \(reason)")
                #expect(refund["creditAfter"] as? String == credit, "\(kind) \(reason)")
                let deal = try await desk.deal(id)
                #expect(deal.string("stage") == "cancelled" && deal.string("endedReason") == reason)
                #expect(deal.string("credit") == credit && deal.string("balance") == "0.00", "\(deal.text)")
                // A forfeited earnest stays collected on its line; nothing else is open.
                #expect(column(lines(deal), "paid") == (forfeited == "0.00" ? [] : [forfeited]), "\(kind) \(reason)")
                #expect(deal.body["nextStep"] == nil)
                #expect(try await desk.deals.roomStatus(client, desk.consultant, "201") == "available")
                let history = try await call(client, .get, "/v1/deals/\(id)/history", desk.consultant)
                #expect(history.items.last?["event"] as? String == "cancel" && history.items.last?["toStage"] as? String == "cancelled")
                #expect((((history.items.last?["after"] as? [String: Any])?["refund"] as? [String: Any])?["toBuyer"] as? String) == toBuyer)
            }
        }
    }

    @Test func citySalesManagementRequestsCancellationsButNotOtherChanges() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let id = try await desk.subscribed("202")
            #expect(try await desk.deals.tasks(of: id).contains("payment_due open"))
            // deals.cancel without deals.write: a cancellation yes, a change of discount no (403 at the project).
            let discount = try await desk.request(id, desk.city, ["kind": "change_discount", "reason": "goodwill", "discountIds": []])
            #expect(discount.status == .forbidden, "\(discount.text)")
            let done = try await desk.carryOut(id, ["kind": "cancellation", "reason": "Buyer withdraws", "refundReason": "mutual"],
                                               requester: desk.city, approver: desk.manager)
            #expect(done.string("status") == "executed")
            #expect(try await desk.deal(id).string("stage") == "cancelled")
            // The ended deal's tasks are cancelled with it.
            let tasks = try await desk.deals.tasks(of: id)
            #expect(!tasks.isEmpty && tasks.allSatisfy { $0.hasSuffix(" cancelled") }, "\(tasks)")
        }
    }

    @Test func terminationOfAContractedDeal() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let id = try await desk.subscribed("102", deposit: ("earnest", "100000"),
                                               subscription: ["paymentMethod": "commercial_mortgage", "terms": ["commercialLoan": "1000000"]])
            try await desk.pay(id, "deposit")
            try await desk.pay(id, "down_payment")
            try await desk.pay(id, "commercial_loan")
            try await world.sql("UPDATE deals SET stage = 'contracted' WHERE id = \(UUID(uuidString: id)!)")
            try await world.sql("UPDATE rooms SET status = 'contracted' WHERE id = \(desk.deals.rooms["102"]!)")
            // A contracted deal is terminated, not cancelled.
            let cancel = try await desk.request(id, desk.manager, ["kind": "cancellation", "reason": "x", "refundReason": "mutual"])
            #expect(cancel.status == .conflict && cancel.code == "illegal-change-request" && cancel.string("currentStage") == "contracted", "\(cancel.text)")
            let done = try await desk.carryOut(id, ["kind": "termination", "reason": "Developer cannot deliver", "refundReason": "developer_fault"],
                                               requester: desk.manager, approver: desk.city)
            let refund = done.object("after", "refund")
            // The buyer gets 1,000,000 and the 100,000 earnest again; the bank its 1,000,000 loan back, which stays on its line.
            #expect(refund["toBuyer"] as? String == "1100000.00" && refund["toCommercialLender"] as? String == "1000000.00", "\(done.text)")
            #expect(refund["earnestPenalty"] as? String == "100000.00" && refund["creditAfter"] as? String == "1000000.00")
            let deal = try await desk.deal(id)
            #expect(deal.string("stage") == "terminated" && deal.string("endedReason") == "developer_fault")
            #expect(column(lines(deal), "kind") == ["commercial_loan"] && column(lines(deal), "paid") == ["1000000.00"])
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "102") == "available")
            // An ended deal takes no more changes.
            let after = try await desk.request(id, desk.consultant, ["kind": "change_buyers", "reason": "x", "buyers": [["customerId": desk.buyer]]])
            #expect(after.status == .conflict && after.string("currentStage") == "terminated", "\(after.text)")
        }
    }

    @Test func floorPriceNeedsAnApprovedPriceApproval() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let controller = try await signIn(client, "sales.controller")
            let deep = try await call(client, .post, "/v1/projects/\(desk.deals.riverside)/discount-schemes", controller,
                                      ["code": "deep", "name": "Deep cut", "kind": "fixed_amount", "amount": "60000", "stackingOrder": 1])
            let discount = try deep.id().uuidString
            let id = try await desk.reserved("101")
            let subscription: [String: Any] = ["paymentMethod": "full", "discountIds": [discount], "deposit": ["kind": "earnest", "amount": "50000"]]
            let refused = try await checked(client, .post, "/v1/deals/\(id)/subscribe", "/v1/deals/{id}/subscribe", desk.consultant,
                                            ["subscription": subscription])
            #expect(refused.status == .unprocessableContent && refused.code == "floor-price-approval-required", "\(refused.text)")
            let wrong = try await desk.request(id, desk.consultant, ["kind": "price_approval", "reason": "Staff purchase", "discountIds": [discount],
                                                                     "paymentMethod": "full", "finalPrice": "930000"])
            #expect(wrong.status == .unprocessableContent && wrong.code == "price-mismatch" && wrong.errorFields == ["finalPrice"], "\(wrong.text)")
            let asked = try await desk.request(id, desk.consultant, ["kind": "price_approval", "reason": "Staff purchase", "discountIds": [discount],
                                                                     "paymentMethod": "full", "finalPrice": "940000"])
            #expect(asked.status == .created, "\(asked.text)")
            #expect(asked.object("payload")["finalPrice"] as? String == "940000.00")
            #expect(asked.object("after", "priceApproval")["floorPrice"] as? String == "950000.00")
            let approval = try asked.id().uuidString
            var withApproval = subscription
            withApproval["priceApprovalId"] = approval
            // Not approved yet: still refused.
            let early = try await call(client, .post, "/v1/deals/\(id)/subscribe", desk.consultant, ["subscription": withApproval])
            #expect(early.status == .unprocessableContent && early.errorFields == ["subscription.priceApprovalId"], "\(early.text)")
            #expect(try await desk.approve(approval, desk.manager).status == .ok)
            // A price approval is executed by the subscription, not by its own route.
            let direct = try await desk.execute(approval, desk.consultant)
            #expect(direct.status == .conflict && direct.code == "executed-by-subscription", "\(direct.text)")
            let subscribed = try await call(client, .post, "/v1/deals/\(id)/subscribe", desk.consultant, ["subscription": withApproval])
            #expect(subscribed.status == .ok && subscribed.string("stage") == "subscribed", "\(subscribed.text)")
            let pricing = subscribed.body["pricing"] as? [String: Any] ?? [:]
            #expect(pricing["finalPrice"] as? String == "940000.00" && pricing["priceApprovalId"] as? String == approval)
            let used = try await checked(client, .get, "/v1/change-requests/\(approval)", "/v1/change-requests/{id}", desk.consultant)
            #expect(used.string("status") == "executed" && used.string("executedAt") != nil)
            // A price that is not below the floor needs no approval.
            let other = try await desk.reserved("202")
            let needless = try await desk.request(other, desk.consultant, ["kind": "price_approval", "reason": "x", "discountIds": [],
                                                                           "paymentMethod": "full", "finalPrice": "500000"])
            #expect(needless.status == .unprocessableContent && needless.code == "price-approval-not-needed", "\(needless.text)")
        }
    }

    @Test func refusalsAndTheApproversQueue() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let reserved = try await desk.reserved("201")
            let subscribed = try await desk.subscribed("101")
            let buyers: [String: Any] = ["kind": "change_buyers", "reason": "Rename", "buyers": [["customerId": desk.buyer]]]
            // A change the stage does not allow: 409 naming the stage.
            let discount = try await desk.request(reserved, desk.consultant, ["kind": "change_discount", "reason": "x", "discountIds": []])
            #expect(discount.status == .conflict && discount.code == "illegal-change-request" && discount.string("currentStage") == "reserved",
                    "\(discount.text)")
            // Fields: what the kind needs, nothing it does not use, no unknown member, a reason.
            let missing = try await desk.request(subscribed, desk.consultant, ["kind": "change_payment_method", "reason": "x", "refundReason": "mutual"])
            #expect(missing.status == .badRequest && missing.errorFields == ["paymentMethod", "refundReason"], "\(missing.text)")
            let unknown = try await call(client, .post, "/v1/deals/\(subscribed)/change-requests", desk.consultant,
                                         ["kind": "change_buyers", "reason": "x", "buyers": [["customerId": desk.buyer]], "shares": 1])
            #expect(unknown.status == .badRequest && unknown.errorFields == ["shares"], "\(unknown.text)")
            let blank = try await desk.request(subscribed, desk.consultant, ["kind": "change_buyers", "reason": "  ", "buyers": [["customerId": desk.buyer]]])
            #expect(blank.status == .badRequest && blank.errorFields == ["reason"], "\(blank.text)")
            let kind = try await desk.request(subscribed, desk.consultant, ["kind": "upgrade", "reason": "x"])
            #expect(kind.status == .badRequest && kind.errorFields == ["kind"], "\(kind.text)")

            let requested = try await desk.request(subscribed, desk.manager, buyers)
            let id = try requested.id().uuidString
            // One open request per kind.
            let second = try await desk.request(subscribed, desk.consultant, buyers)
            #expect(second.status == .conflict && second.code == "change-request-open", "\(second.text)")
            // Executing a pending request: 409 naming its status.
            let early = try await desk.execute(id, desk.consultant)
            #expect(early.status == .conflict && early.code == "illegal-change-request" && early.string("currentStatus") == "pending", "\(early.text)")
            // Approving without deals.approve: 403; one's own request: 403; a rejection without a note: 400.
            #expect(try await desk.approve(id, desk.consultant).status == .forbidden)
            let own = try await desk.approve(id, desk.manager)
            #expect(own.status == .forbidden && own.code == "own-change-request", "\(own.text)")
            let silent = try await call(client, .post, "/v1/change-requests/\(id)/reject", desk.city, [:])
            #expect(silent.status == .badRequest && silent.errorFields == ["note"], "\(silent.text)")

            // The approver's queue, the deal's requests, one request.
            let queue = try await checked(client, .get, "/v1/change-requests?status=pending&projectId=\(desk.deals.riverside)",
                                          "/v1/change-requests", desk.city)
            #expect(queue.status == .ok && queue.items.map { $0["id"] as? String } == [id], "\(queue.text)")
            let ofDeal = try await checked(client, .get, "/v1/deals/\(subscribed)/change-requests", "/v1/deals/{id}/change-requests", desk.consultant)
            #expect(ofDeal.items.map { $0["id"] as? String } == [id])
            let badQuery = try await call(client, .get, "/v1/change-requests?status=open", desk.city)
            #expect(badQuery.status == .badRequest && badQuery.errorFields == ["status"])

            // Rejected with a note: final; the kind may be asked again.
            let rejected = try await checked(client, .post, "/v1/change-requests/\(id)/reject", "/v1/change-requests/{id}/reject", desk.city,
                                             ["note": "Needs the ID card first"])
            #expect(rejected.status == .ok && rejected.string("status") == "rejected" && rejected.string("decisionNote") == "Needs the ID card first")
            #expect(try await desk.execute(id, desk.consultant).status == .conflict)
            #expect(try await desk.approve(id, desk.city).status == .conflict)
            #expect(try await desk.request(subscribed, desk.consultant, buyers).status == .created)
            #expect(try await checked(client, .get, "/v1/change-requests?status=pending", "/v1/change-requests", desk.city).items.count == 1)

            // The price changed between the approval and the execution: 409, nothing moves.
            let move = try await desk.request(subscribed, desk.consultant, ["kind": "change_room", "reason": "Quieter side",
                                                                            "roomId": desk.deals.rooms["102"]!.uuidString])
            #expect(try await desk.approve(try move.id().uuidString, desk.manager).status == .ok)
            try await world.sql("UPDATE rooms SET list_price = 2100000 WHERE id = \(desk.deals.rooms["102"]!)")
            let outdated = try await desk.execute(try move.id().uuidString, desk.consultant)
            #expect(outdated.status == .conflict && outdated.code == "change-request-outdated", "\(outdated.text)")
            #expect(try await desk.deal(subscribed).string("roomId") == desk.deals.rooms["101"]!.uuidString)
            #expect(try await desk.deals.roomStatus(client, desk.consultant, "102") == "available")

            // Another group sees none of it.
            let other = try await signIn(client, "admin", group: "other")
            #expect(try await call(client, .get, "/v1/change-requests/\(id)", other).status == .notFound)
            #expect(try await call(client, .post, "/v1/change-requests/\(id)/approve", other, [:]).status == .notFound)
            #expect(try await call(client, .post, "/v1/change-requests/\(id)/execute", other).status == .notFound)
            #expect(try await call(client, .post, "/v1/deals/\(subscribed)/change-requests", other, buyers).status == .notFound)
            #expect(try await call(client, .get, "/v1/change-requests", other).items.isEmpty)
        }
    }
}
