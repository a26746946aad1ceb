import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

/// Today and the days around it in the demo group's time zone (the server's "today").
func shanghaiDay(_ offset: Int) -> String {
    LocalDate(Date(), in: TimeZone(identifier: "Asia/Shanghai")!).adding(days: offset)!.description
}

/// Sends a request and checks the answer against the spec's description of `method path`.
func checked(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: Any? = nil,
             spec path: String, extra: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
    var fields = headers(token)
    for field in extra { fields[field.name] = field.value }
    let buffer: ByteBuffer? = try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
    return try await client.execute(uri: uri, method: method, headers: fields, body: buffer) { (response: TestResponse) throws -> Reply in
        try expectConforms(response, to: method.rawValue, path, sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: String(buffer: response.body))
    }
}

/// A JSON money string as Money (an absurd amount when it is not one, so that comparisons fail).
func cny(_ value: Any?) -> Money {
    (value as? String).flatMap(Money.init) ?? Money(minorUnits: 1_000_000_000_000_000)
}

func idempotencyKey(_ key: String) -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: key] }

/// Deals of the riverside rooms with the cashier's and the consultant's tokens.
struct MoneyWorld {
    let deals: DealWorld
    let consultant: String
    let cashier: String
    let buyer: String

    static func make(_ client: some TestClientProtocol, _ world: IdentityWorld) async throws -> MoneyWorld {
        let deals = try await DealWorld.make(client, world)
        let consultant = try await signIn(client, "property.consultant")
        let buyer = try await deals.customer(client, consultant, "Lin Yue", phone: "13911112222")
        return MoneyWorld(deals: deals, consultant: consultant, cashier: try await signIn(client, "cashier"), buyer: buyer)
    }

    /// A deal subscribed directly; its id and receivable lines.
    func subscribe(_ client: some TestClientProtocol, _ room: String, _ subscription: [String: Any]) async throws -> (String, [[String: Any]]) {
        let reply = try await call(client, .post, "/v1/deals", consultant, [
            "roomId": deals.rooms[room]!.uuidString, "buyers": [["customerId": buyer]], "subscription": subscription])
        #expect(reply.status == .created, "\(reply.text)")
        return (try #require(reply.string("id")), reply.body["receivables"] as? [[String: Any]] ?? [])
    }

    func collect(_ client: some TestClientProtocol, _ deal: String, _ body: [String: Any], token: String? = nil,
                 extra: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await checked(client, .post, "/v1/deals/\(deal)/collections", token ?? cashier, body, spec: "/v1/deals/{id}/collections",
                          extra: extra, sourceLocation: sourceLocation)
    }

    func refund(_ client: some TestClientProtocol, _ deal: String, _ body: [String: Any],
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await checked(client, .post, "/v1/deals/\(deal)/refunds", cashier, body, spec: "/v1/deals/{id}/refunds", sourceLocation: sourceLocation)
    }

    func void(_ client: some TestClientProtocol, receipt: String, reason: String = "entered by mistake",
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
        try await checked(client, .post, "/v1/receipts/\(receipt)/void", cashier, ["reason": reason], spec: "/v1/receipts/{id}/void",
                          sourceLocation: sourceLocation)
    }

    func deal(_ client: some TestClientProtocol, _ id: String) async throws -> Reply {
        try await checked(client, .get, "/v1/deals/\(id)", cashier, spec: "/v1/deals/{id}")
    }

    /// The receivables' paid amounts of a deal, in schedule order.
    func paid(_ client: some TestClientProtocol, _ id: String) async throws -> [String] {
        (try await deal(client, id).body["receivables"] as? [[String: Any]] ?? []).compactMap { $0["paid"] as? String }
    }

    /// One number of SQL (a sum or count) over the demo database.
    func scalar(_ sql: SQL) async throws -> String {
        let pool = PQPool(configuration: PQPoolConfiguration(url: deals.world.url, maxConnections: 1))
        let rows = try await pool.query(sql)
        await pool.close()
        return try rows.firstRow!.decode("v", as: String.self)
    }
}

extension Reply {
    var receipt: [String: Any] { body["receipt"] as? [String: Any] ?? [:] }
    var allocations: [[String: Any]] { body["allocations"] as? [[String: Any]] ?? [] }
    var lines: [[String: Any]] { body["receivables"] as? [[String: Any]] ?? [] }
}

@Suite("Deal money: collections, receipts, refunds, invoices, rates")
struct DealMoneyTests {
    @Test func partialPaymentsGoOldestDueFirstOrWhereTold() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, lines) = try await money.subscribe(client, "102", [
                "paymentMethod": "instalments", "deposit": ["kind": "earnest", "amount": "100000"], "subscribedOn": shanghaiDay(-60),
                "terms": ["downPaymentRatio": 3000, "instalmentCount": 3, "instalmentIntervalMonths": 2]])
            #expect(lines.map { $0["amount"] as? String } == ["100000.00", "500000.00", "466666.66", "466666.66", "466666.68"])
            let ids = lines.compactMap { $0["id"] as? String }

            // A partial payment pays part of the oldest line.
            let first = try await money.collect(client, id, ["method": "cash", "amount": "60000", "payer": "Lin Yue"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.allocations.map { $0["receivableId"] as? String } == [ids[0]])
            #expect(first.allocations.map { $0["amount"] as? String } == ["60000.00"])
            #expect(first.string("toCredit") == "0.00" && first.string("receivedOn") == shanghaiDay(0))
            let year = shanghaiDay(0).prefix(4)
            #expect(first.receipt["number"] as? String == "RIVERSIDE-\(year)-000001", "\(first.receipt)")
            #expect(first.receipt["amount"] as? String == "60000.00" && first.receipt["payer"] as? String == "Lin Yue")
            // The next one finishes the deposit and starts on the down payment.
            let second = try await money.collect(client, id, ["method": "transfer", "amount": "100000", "receivedOn": shanghaiDay(-1),
                                                              "reference": "BOC 7781"])
            #expect(second.allocations.map { $0["receivableId"] as? String } == [ids[0], ids[1]])
            #expect(second.allocations.map { $0["amount"] as? String } == ["40000.00", "60000.00"])
            #expect(second.receipt["number"] as? String == "RIVERSIDE-\(year)-000002")
            // Where the client says: the last instalment, in full, before the others.
            let told = try await money.collect(client, id, ["method": "card", "amount": "466666.68",
                                                            "allocations": [["receivableId": ids[4], "amount": "466666.68"]]])
            #expect(told.status == .created, "\(told.text)")
            #expect(told.allocations.map { $0["receivableId"] as? String } == [ids[4]])
            #expect(try await money.paid(client, id) == ["100000.00", "60000.00", "0.00", "0.00", "466666.68"])
            let deal = try await money.deal(client, id)
            #expect(deal.string("totalPaid") == "626666.68" && deal.string("balance") == "1373333.32" && deal.string("credit") == "0.00")

            // Told wrong: a line of no deal, more than is open, together more than the amount.
            let stranger = try await money.collect(client, id, ["method": "cash", "amount": "10",
                                                                "allocations": [["receivableId": UUID().uuidString, "amount": "10"]]])
            #expect(stranger.status == .badRequest && stranger.errorFields == ["allocations[0].receivableId"], "\(stranger.text)")
            let tooMuch = try await money.collect(client, id, ["method": "cash", "amount": "500000",
                                                               "allocations": [["receivableId": ids[1], "amount": "440000.01"]]])
            #expect(tooMuch.status == .badRequest && tooMuch.errorFields == ["allocations[0].amount"], "\(tooMuch.text)")
            let beyond = try await money.collect(client, id, ["method": "cash", "amount": "10",
                                                              "allocations": [["receivableId": ids[2], "amount": "11"]]])
            #expect(beyond.status == .badRequest && beyond.errorFields == ["allocations"], "\(beyond.text)")
            // Nothing of the refusals was kept: three collections, three receipts, three history rows.
            let collections = try await checked(client, .get, "/v1/deals/\(id)/collections", money.cashier, spec: "/v1/deals/{id}/collections")
            #expect(collections.items.count == 3 && collections.items.allSatisfy { $0["live"] as? Bool == true })
            let receipts = try await checked(client, .get, "/v1/deals/\(id)/receipts", money.cashier, spec: "/v1/deals/{id}/receipts")
            #expect(receipts.items.compactMap { $0["number"] as? String }.map { $0.suffix(2) } == ["01", "02", "03"])
            let history = try await call(client, .get, "/v1/deals/\(id)/history", money.consultant)
            #expect(history.items.compactMap { $0["event"] as? String }.filter { $0 == "payment_received" }.count == 3)
            let receipt = try await checked(client, .get, "/v1/receipts/\(second.receipt["id"] as! String)", money.cashier, spec: "/v1/receipts/{id}")
            #expect(receipt.string("number") == "RIVERSIDE-\(year)-000002" && receipt.string("reference") == "BOC 7781"
                    && receipt.string("receivedOn") == shanghaiDay(-1) && receipt.string("method") == "transfer")
        }
        await world.database.close()
    }

    @Test func aDealsSubscriptionContractPaymentAndVoidAreEventsInOrder() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, _) = try await money.subscribe(client, "101", [
                "paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"], "subscribedOn": shanghaiDay(-20)])
            _ = try await step(client, money.consultant, id, "contract", [
                "date": shanghaiDay(-10), "contractNumber": "HT-EV-101", "filingNumber": "YS-EV-101"])
            #expect(try await !money.deals.tasks(of: id).contains("payment_due done"))
            let paid = try await money.collect(client, id, ["method": "transfer", "amount": "50000.50", "receivedOn": shanghaiDay(-2)])
            #expect(paid.status == .created, "\(paid.text)")
            // The deposit's payment task is done with the collection that paid it.
            #expect(try await money.deals.tasks(of: id).contains("payment_due done"))
            let receipt = try #require(paid.receipt["id"] as? String)
            let number = try #require(paid.receipt["number"] as? String)
            #expect(try await money.void(client, receipt: receipt, reason: "wrong payer").status == .ok)
            // A collection the validation refuses writes no event.
            #expect(try await money.collect(client, id, ["method": "transfer", "amount": "-1"]).status == .badRequest)

            let management = try await signIn(client, "group.management")
            let feed = try await events(client, management, "objectId=\(id)", count: 4)
            #expect(feed.items.map { $0["type"] as? String } == ["deal.subscribed", "deal.contracted", "payment.received", "receipt.voided"])
            #expect(feed.items.map { ($0["object"] as? [String: Any])?["sequence"] as? Int } == [1, 2, 3, 4])
            #expect(Set(feed.items.compactMap { $0["id"] as? String }).count == 4)
            let data = feed.items.map { $0["data"] as? [String: Any] ?? [:] }
            #expect(data[0]["finalPrice"] as? String != nil && data[0]["paymentMethod"] as? String == "full")
            #expect(data[0]["subscribedOn"] as? String == shanghaiDay(-20))
            #expect((data[0]["customerIds"] as? [String])?.map { $0.lowercased() } == [money.buyer.lowercased()])
            #expect(data[1]["contractNumber"] as? String == "HT-EV-101" && data[1]["contractSignedOn"] as? String == shanghaiDay(-10))
            #expect(data[1]["finalPrice"] as? String == data[0]["finalPrice"] as? String)
            #expect(data[2]["amount"] as? String == "50000.50" && data[2]["receivedOn"] as? String == shanghaiDay(-2))
            #expect(data[2]["receiptNumber"] as? String == number && data[2]["method"] as? String == "transfer")
            #expect((data[3]["receiptId"] as? String)?.lowercased() == receipt.lowercased() && data[3]["receiptNumber"] as? String == number)
            #expect(data[3]["amount"] as? String == "50000.50" && data[3]["reason"] as? String == "wrong payer")
            // Payloads carry no personal data.
            #expect(!feed.text.contains("Lin Yue") && !feed.text.contains("13911112222"))
        }
    }

    @Test func loanLinesAreLeftToTheLenderUnlessNamed() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, lines) = try await money.subscribe(client, "201", [
                "paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "20000"], "subscribedOn": shanghaiDay(-5),
                "terms": ["commercialLoan": "300000", "loanDueDays": 3]])
            #expect(lines.map { $0["kind"] as? String } == ["deposit", "down_payment", "commercial_loan"])
            // The loan falls due before the down payment, but the buyer's money stays off it.
            let buyer = try await money.collect(client, id, ["method": "transfer", "amount": "250000"])
            #expect(buyer.allocations.map { $0["receivableKind"] as? String } == ["deposit", "down_payment"])
            #expect(buyer.string("toCredit") == "50000.00")
            // The bank's funds name the loan line.
            let loan = lines[2]["id"] as! String
            let funds = try await money.collect(client, id, ["method": "transfer", "amount": "300000", "payer": "China Construction Bank",
                                                             "allocations": [["receivableId": loan, "amount": "300000"]]])
            #expect(funds.allocations.map { $0["receivableKind"] as? String } == ["commercial_loan"] && funds.string("toCredit") == "0.00")
            let deal = try await money.deal(client, id)
            #expect(deal.string("balance") == "0.00" && deal.string("credit") == "50000.00")
        }
        await world.database.close()
    }

    @Test func overpaymentIsHeldAsCreditAndRefundedFromItFirst() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, lines) = try await money.subscribe(client, "202", [
                "paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"], "subscribedOn": shanghaiDay(-10)])
            let downPayment = lines[1]["id"] as! String
            let over = try await money.collect(client, id, ["method": "transfer", "amount": "520000.50"])
            #expect(over.string("toCredit") == "20000.50" && over.allocations.count == 2, "\(over.text)")
            var deal = try await money.deal(client, id)
            #expect(deal.string("balance") == "0.00" && deal.string("credit") == "20000.50")

            // From the credit alone.
            let small = try await money.refund(client, id, ["method": "transfer", "amount": "5000", "reason": "overpaid"])
            #expect(small.status == .created, "\(small.text)")
            #expect(small.string("fromCredit") == "5000.00" && small.allocations.isEmpty)
            // More than the credit: the lines must be named, adding up to the rest.
            let unnamed = try await money.refund(client, id, ["method": "cash", "amount": "25000", "reason": "partial cancellation"])
            #expect(unnamed.status == .badRequest && unnamed.errorFields == ["allocations"], "\(unnamed.text)")
            let short = try await money.refund(client, id, ["method": "cash", "amount": "25000", "reason": "partial cancellation",
                                                            "allocations": [["receivableId": downPayment, "amount": "1000"]]])
            #expect(short.status == .badRequest && short.errorFields == ["allocations"], "\(short.text)")
            let both = try await money.refund(client, id, ["method": "cash", "amount": "25000", "reason": "partial cancellation",
                                                           "allocations": [["receivableId": downPayment, "amount": "9999.50"]]])
            #expect(both.status == .created, "\(both.text)")
            #expect(both.string("fromCredit") == "15000.50" && both.allocations.map { $0["amount"] as? String } == ["-9999.50"])
            deal = try await money.deal(client, id)
            #expect(deal.string("credit") == "0.00" && deal.string("balance") == "9999.50" && deal.string("totalPaid") == "490000.50")
            // Nothing left to refund beyond what was collected on the line; no reason, no refund.
            let greedy = try await money.refund(client, id, ["method": "cash", "amount": "500000", "reason": "all",
                                                             "allocations": [["receivableId": downPayment, "amount": "500000"]]])
            #expect(greedy.status == .badRequest && greedy.errorFields == ["allocations[0].amount"], "\(greedy.text)")
            let blank = try await money.refund(client, id, ["method": "cash", "amount": "1", "reason": "  "])
            #expect(blank.status == .badRequest && blank.errorFields.contains("reason"), "\(blank.text)")
            let refunds = try await checked(client, .get, "/v1/deals/\(id)/refunds", money.cashier, spec: "/v1/deals/{id}/refunds")
            #expect(refunds.items.compactMap { $0["amount"] as? String } == ["5000.00", "25000.00"])
            let history = try await call(client, .get, "/v1/deals/\(id)/history", money.consultant)
            #expect(history.items.compactMap { $0["event"] as? String }.suffix(3) == ["payment_received", "refund", "refund"])
            #expect(history.items.last?["reason"] as? String == "partial cancellation")
        }
        await world.database.close()
    }

    @Test func foreignPaymentsConvertAtTheRateOfTheDayKeepingBothAmounts() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let finance = try await signIn(client, "group.finance")
            let rateDay = shanghaiDay(-3)
            let set = try await checked(client, .put, "/v1/exchange-rates/HKD/\(rateDay)", finance, ["rate": "0.912346"],
                                        spec: "/v1/exchange-rates/{currency}/{date}")
            #expect(set.status == .created && set.string("rate") == "0.912346", "\(set.text)")
            let corrected = try await checked(client, .put, "/v1/exchange-rates/HKD/\(rateDay)", finance, ["rate": "0.912345"],
                                              spec: "/v1/exchange-rates/{currency}/{date}")
            #expect(corrected.status == .ok && corrected.string("rate") == "0.912345")
            // Only group finance at the root sets rates; bad rates and the home currency are refused.
            #expect(try await call(client, .put, "/v1/exchange-rates/USD/\(rateDay)", money.cashier, ["rate": "7.1"]).status == .forbidden)
            let zero = try await call(client, .put, "/v1/exchange-rates/USD/\(rateDay)", finance, ["rate": "0"])
            #expect(zero.status == .badRequest && zero.errorFields == ["rate"])
            #expect(try await call(client, .put, "/v1/exchange-rates/CNY/\(rateDay)", finance, ["rate": "1"]).code == "home-currency")
            #expect(try await call(client, .put, "/v1/exchange-rates/hkd/\(rateDay)", finance, ["rate": "1"]).errorFields == ["currency"])
            // The rate of a day: that day's, or the latest within the week before.
            let ofDay = try await checked(client, .get, "/v1/exchange-rates/HKD/\(shanghaiDay(-1))", money.cashier,
                                          spec: "/v1/exchange-rates/{currency}/{date}")
            #expect(ofDay.string("rateDate") == rateDay && ofDay.string("rate") == "0.912345" && ofDay.string("on") == shanghaiDay(-1))
            #expect(try await call(client, .get, "/v1/exchange-rates/HKD/\(shanghaiDay(-4))", money.cashier).status == .notFound)
            #expect(try await call(client, .get, "/v1/exchange-rates/HKD/\(shanghaiDay(4))", money.cashier).string("rateDate") == rateDay)
            #expect(try await call(client, .get, "/v1/exchange-rates/HKD/\(shanghaiDay(5))", money.cashier).status == .notFound)
            let list = try await checked(client, .get, "/v1/exchange-rates?currency=HKD", money.cashier, spec: "/v1/exchange-rates")
            #expect(list.items.compactMap { $0["date"] as? String } == [rateDay])

            let (id, _) = try await money.subscribe(client, "101", [
                "paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"], "subscribedOn": shanghaiDay(-10)])
            let hkd = try await money.collect(client, id, ["method": "transfer", "currency": "HKD", "foreignAmount": "1234567.89",
                                                           "receivedOn": shanghaiDay(-1)])
            #expect(hkd.status == .created, "\(hkd.text)")
            // 1,234,567.89 × 0.912345 = 1,126,351.8416... → 1,126,351.84, and both amounts are kept.
            #expect(hkd.string("amount") == "1126351.84")
            let foreign = hkd.body["foreign"] as? [String: Any] ?? [:]
            #expect(foreign["currency"] as? String == "HKD" && foreign["amount"] as? String == "1234567.89"
                    && foreign["rate"] as? String == "0.912345" && foreign["rateDate"] as? String == rateDay, "\(foreign)")
            #expect(hkd.string("toCredit") == "126351.84")
            #expect((hkd.receipt["foreign"] as? [String: Any])?["amount"] as? String == "1234567.89")
            let cents = try await money.collect(client, id, ["method": "cash", "currency": "HKD", "foreignAmount": "0.01", "receivedOn": rateDay])
            #expect(cents.string("amount") == "0.01", "\(cents.text)")   // 0.00912345 rounds half away from zero to the cent
            let stored = try await money.scalar("""
                SELECT string_agg(foreign_amount::text || ' ' || currency || ' @ ' || rate::text || ' = ' || amount::text, '; ' ORDER BY id) AS v
                FROM collections WHERE deal_id = \(UUID(uuidString: id)!)
                """)
            #expect(stored == "1234567.8900 HKD @ 0.912345 = 1126351.84; 0.0100 HKD @ 0.912345 = 0.01")

            // No rate within the week before the day, no rate at all, digits the currency has not, both amounts.
            let stale = try await money.collect(client, id, ["method": "cash", "currency": "HKD", "foreignAmount": "100", "receivedOn": shanghaiDay(-11)])
            #expect(stale.status == .unprocessableContent && stale.code == "exchange-rate-missing", "\(stale.text)")
            let early = try await money.collect(client, id, ["method": "cash", "currency": "HKD", "foreignAmount": "100", "receivedOn": shanghaiDay(-4)])
            #expect(early.code == "exchange-rate-missing")
            #expect(try await money.collect(client, id, ["method": "cash", "currency": "USD", "foreignAmount": "100"]).code == "exchange-rate-missing")
            let digits = try await money.collect(client, id, ["method": "cash", "currency": "HKD", "foreignAmount": "10.123"])
            #expect(digits.status == .badRequest && digits.errorFields == ["foreignAmount"])
            let twice = try await money.collect(client, id, ["method": "cash", "amount": "1", "currency": "HKD", "foreignAmount": "1"])
            #expect(twice.status == .badRequest && twice.errorFields == ["amount"])
            #expect(try await money.collect(client, id, ["method": "cash", "foreignAmount": "1"]).errorFields == ["currency"])
            #expect(try await money.collect(client, id, ["method": "cash", "currency": "CNY", "foreignAmount": "1"]).errorFields == ["currency"])
            #expect(try await money.collect(client, id, ["method": "cash", "amount": "1", "currency": "CNY"]).errorFields == ["currency"])
            #expect(try await money.collect(client, id, ["method": "cash", "amount": "1", "receivedOn": shanghaiDay(1)]).errorFields == ["receivedOn"])
            #expect(try await money.collect(client, id, ["method": "cash", "amount": "0"]).errorFields == ["amount"])
            #expect(try await money.collect(client, id, ["method": "cash", "amount": "10000000000"]).errorFields == ["amount"])
            #expect(try await money.collect(client, id, ["method": "cheque", "amount": "1"]).status == .badRequest)
        }
        await world.database.close()
    }

    @Test func twentyConcurrentCollectionsGetReceiptNumbersOneToTwentyAndVoidsKeepTheirNumber() async throws {
        let world = try await IdentityWorld.make(acquireTimeout: .seconds(120))
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            var deals: [String] = []
            for room in ["101", "102", "201", "202"] {
                deals.append(try await money.subscribe(client, room, ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"],
                                                                      "subscribedOn": shanghaiDay(-3)]).0)
            }
            let cashier = money.cashier
            struct Issued: Sendable { let status: HTTPResponse.Status; let number: String?; let receipt: String?; let deal: String }
            let issued = try await withThrowingTaskGroup(of: Issued.self) { group in
                for index in 0..<20 {
                    let deal = deals[index % 4]
                    group.addTask {
                        let reply = try await call(client, .post, "/v1/deals/\(deal)/collections", cashier, ["method": "cash", "amount": "1000"])
                        return Issued(status: reply.status, number: reply.receipt["number"] as? String, receipt: reply.receipt["id"] as? String, deal: deal)
                    }
                }
                return try await group.reduce(into: [Issued]()) { $0.append($1) }
            }
            #expect(issued.allSatisfy { $0.status == .created }, "\(issued.map(\.status.code))")
            let sequences = issued.compactMap { $0.number.flatMap(ReceiptNumber.init)?.sequence }.sorted()
            #expect(sequences == Array(1...20))

            let register = try await checked(client, .get, "/v1/projects/\(money.deals.riverside)/receipts?limit=500", cashier,
                                             spec: "/v1/projects/{id}/receipts")
            let years = register.body["years"] as? [[String: Any]] ?? []
            #expect(years.count == 1 && years.first?["count"] as? Int == 20 && years.first?["contiguous"] as? Bool == true, "\(years)")
            #expect((years.first?["first"] as? String)?.hasSuffix("-000001") == true && (years.first?["last"] as? String)?.hasSuffix("-000020") == true)
            #expect(years.first?["liveTotal"] as? String == "20000.00")
            #expect(register.items.compactMap { $0["number"] as? String }.compactMap(ReceiptNumber.init).map(\.sequence) == Array(1...20))
            // Paged in number order.
            let page = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/receipts?limit=15", cashier)
            let next = try #require(page.string("nextCursor"))
            let rest = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/receipts?limit=15&cursor=\(next)", cashier)
            #expect((page.items + rest.items).compactMap { $0["number"] as? String }.compactMap(ReceiptNumber.init).map(\.sequence) == Array(1...20))

            // A void keeps the number, with the reason, and takes the money back off the deal.
            let seventh = try #require(issued.first { $0.number?.hasSuffix("-000007") == true })
            let before = try await money.deal(client, seventh.deal)
            let voided = try await money.void(client, receipt: seventh.receipt!, reason: "bounced transfer")
            #expect(voided.status == .ok && voided.body["voided"] as? Bool == true && voided.string("voidReason") == "bounced transfer", "\(voided.text)")
            #expect(voided.string("number") == seventh.number && voided.string("voidedBy") != nil)
            let after = try await money.deal(client, seventh.deal)
            #expect(cny(after.body["totalPaid"]) == cny(before.body["totalPaid"]) - Money(yuan: 1000))
            #expect(cny(after.body["balance"]) == cny(before.body["balance"]) + Money(yuan: 1000))
            let again = try await call(client, .post, "/v1/receipts/\(seventh.receipt!)/void", cashier, ["reason": "twice"])
            #expect(again.status == .conflict && again.code == "already-voided")
            #expect(try await call(client, .post, "/v1/receipts/\(seventh.receipt!)/void", cashier, ["reason": " "]).errorFields == ["reason"])
            #expect(try await call(client, .post, "/v1/receipts/\(seventh.receipt!)/void", money.consultant, ["reason": "x"]).status == .forbidden)
            // The collection is still listed, no longer live, with its reversal.
            let collections = try await call(client, .get, "/v1/deals/\(seventh.deal)/collections", cashier)
            let reversed = try #require(collections.items.first { ($0["receipt"] as? [String: Any])?["id"] as? String == seventh.receipt })
            #expect(reversed["live"] as? Bool == false && (reversed["reversals"] as? [[String: Any]])?.map { $0["amount"] as? String } == ["-1000.00"])
            // The number is not given again: the next receipt is 21.
            let next21 = try await money.collect(client, seventh.deal, ["method": "cash", "amount": "1000", "payer": "reissued"])
            #expect((next21.receipt["number"] as? String)?.hasSuffix("-000021") == true)
            let afterVoid = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/receipts?limit=500", cashier)
            let year = (afterVoid.body["years"] as? [[String: Any]])?.first ?? [:]
            #expect(year["count"] as? Int == 21 && year["voided"] as? Int == 1 && year["contiguous"] as? Bool == true)
            #expect(year["liveTotal"] as? String == "20000.00" && year["voidedTotal"] as? String == "1000.00")
            // The database refuses to delete or rewrite a receipt, even behind the API's back.
            await #expect(throws: (any Error).self) { try await world.sql("DELETE FROM receipts WHERE id = \(UUID(uuidString: seventh.receipt!)!)") }
            await #expect(throws: (any Error).self) { try await world.sql("UPDATE receipts SET amount = 1 WHERE id = \(UUID(uuidString: seventh.receipt!)!)") }
        }
        await world.database.close()
    }

    @Test func aRetriedCollectionIsRecordedOnceWithOneReceipt() async throws {
        let world = try await IdentityWorld.make(acquireTimeout: .seconds(120))
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, _) = try await money.subscribe(client, "201", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]])
            let key = idempotencyKey("collect-\(UUID().uuidString)")
            let body: [String: Any] = ["method": "transfer", "amount": "30000", "reference": "T-1"]
            let payload = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            let cashier = money.cashier
            struct Answer: Sendable { let status: HTTPResponse.Status; let id: String?; let number: String? }
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let reply = try await call(client, .post, "/v1/deals/\(id)/collections", cashier, payload, extra: key)
                        return Answer(status: reply.status, id: reply.string("id"), number: reply.receipt["number"] as? String)
                    }
                }
                return try await group.reduce(into: [Answer]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == .created }, "\(answers.map(\.status.code))")
            #expect(Set(answers.compactMap(\.id)).count == 1 && Set(answers.compactMap(\.number)).count == 1)
            // A later retry is replayed, marked so.
            var retry = headers(cashier)
            for field in key { retry[field.name] = field.value }
            let replayed = try await client.execute(uri: "/v1/deals/\(id)/collections", method: .post, headers: retry,
                                                    body: ByteBuffer(string: payload)) { response in
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                return try response.jsonObject()
            }
            #expect(replayed["id"] as? String == answers[0].id)
            let collections = try await call(client, .get, "/v1/deals/\(id)/collections", cashier)
            #expect(collections.items.count == 1)
            #expect(try await call(client, .get, "/v1/deals/\(id)/receipts", cashier).items.count == 1)
            #expect(try await money.deal(client, id).string("totalPaid") == "30000.00")
            var other = body
            other["amount"] = "30001"
            let reused = try await call(client, .post, "/v1/deals/\(id)/collections", cashier, other, extra: key)
            #expect(reused.status == .unprocessableContent && reused.code == "idempotency-key-reused")
            // Refunds and voids take keys too.
            let refundKey = idempotencyKey("refund-\(UUID().uuidString)")
            let line = try #require((collections.items.first?["allocations"] as? [[String: Any]])?.first?["receivableId"] as? String)
            // One text for both tries (a dictionary's serialisation may order keys differently each time).
            let refund = String(decoding: try JSONSerialization.data(withJSONObject: [
                "method": "cash", "amount": "100", "reason": "fee returned", "allocations": [["receivableId": line, "amount": "100"]]]), as: UTF8.self)
            let firstRefund = try await call(client, .post, "/v1/deals/\(id)/refunds", cashier, refund, extra: refundKey)
            let secondRefund = try await call(client, .post, "/v1/deals/\(id)/refunds", cashier, refund, extra: refundKey)
            #expect(firstRefund.status == .created && secondRefund.string("id") == firstRefund.string("id"), "\(firstRefund.text)")
            #expect(try await call(client, .get, "/v1/deals/\(id)/refunds", cashier).items.count == 1)
        }
        await world.database.close()
    }

    @Test func accessAndEndedDeals() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, _) = try await money.subscribe(client, "101", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]])
            let collected = try await money.collect(client, id, ["method": "cash", "amount": "100"])
            let receipt = collected.receipt["id"] as! String
            // A consultant sees the deal but may not take money; another group sees nothing.
            let denied = try await call(client, .post, "/v1/deals/\(id)/collections", money.consultant, ["method": "cash", "amount": "100"])
            #expect(denied.status == .forbidden, "\(denied.text)")
            #expect(try await call(client, .get, "/v1/deals/\(id)/collections", money.consultant).status == .forbidden)
            let other = try await signIn(client, "admin", group: "other")
            #expect(try await call(client, .post, "/v1/deals/\(id)/collections", other, ["method": "cash", "amount": "100"]).status == .notFound)
            #expect(try await call(client, .get, "/v1/receipts/\(receipt)", other).status == .notFound)
            #expect(try await call(client, .post, "/v1/receipts/\(receipt)/void", other, ["reason": "x"]).status == .notFound)
            #expect(try await call(client, .get, "/v1/projects/\(money.deals.riverside)/receipts", other).status == .notFound)
            #expect(try await call(client, .get, "/v1/exchange-rates", other).items.isEmpty)
            // City finance collects in the city's projects.
            let city = try await signIn(client, "city.finance")
            #expect(try await money.collect(client, id, ["method": "card", "amount": "100"], token: city).status == .created)
            // An ended deal takes no more money, but can still be refunded.
            try await world.sql("UPDATE deals SET stage = 'cancelled', ended_reason = 'mutual' WHERE id = \(UUID(uuidString: id)!)")
            let ended = try await money.collect(client, id, ["method": "cash", "amount": "100"])
            #expect(ended.status == .conflict && ended.code == "deal-ended" && ended.string("currentStage") == "cancelled", "\(ended.text)")
            let line = try #require(collected.allocations.first?["receivableId"] as? String)
            let refund = try await money.refund(client, id, ["method": "cash", "amount": "200", "reason": "cancelled",
                                                             "allocations": [["receivableId": line, "amount": "200"]]])
            #expect(refund.status == .created, "\(refund.text)")
        }
        await world.database.close()
    }

    @Test func theInvoiceRegister() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, _) = try await money.subscribe(client, "202", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"]])
            let recorded = try await checked(client, .post, "/v1/deals/\(id)/invoices", money.cashier,
                                             ["number": "04400231-0001", "amount": "50000", "issuedOn": shanghaiDay(-1)], spec: "/v1/deals/{id}/invoices")
            #expect(recorded.status == .created && recorded.body["voided"] as? Bool == false, "\(recorded.text)")
            let taken = try await call(client, .post, "/v1/deals/\(id)/invoices", money.cashier,
                                       ["number": "04400231-0001", "amount": "1", "issuedOn": shanghaiDay(0)])
            #expect(taken.status == .conflict && taken.code == "invoice-number-taken")
            #expect(try await call(client, .post, "/v1/deals/\(id)/invoices", money.cashier,
                                   ["number": "no spaces", "amount": "1", "issuedOn": shanghaiDay(0)]).errorFields == ["number"])
            #expect(try await call(client, .post, "/v1/deals/\(id)/invoices", money.cashier,
                                   ["number": "X1", "amount": "1", "issuedOn": shanghaiDay(1)]).errorFields == ["issuedOn"])
            let voided = try await checked(client, .post, "/v1/invoices/\(try recorded.id())/void", money.cashier, ["reason": "wrong buyer name"],
                                           spec: "/v1/invoices/{id}/void")
            #expect(voided.status == .ok && voided.body["voided"] as? Bool == true && voided.string("voidReason") == "wrong buyer name")
            #expect(try await call(client, .post, "/v1/invoices/\(try recorded.id())/void", money.cashier, ["reason": "again"]).code == "already-voided")
            let list = try await checked(client, .get, "/v1/deals/\(id)/invoices", money.cashier, spec: "/v1/deals/{id}/invoices")
            #expect(list.items.count == 1 && list.items[0]["number"] as? String == "04400231-0001")
            await #expect(throws: (any Error).self) { try await world.sql("DELETE FROM invoices WHERE id = \(try recorded.id())") }
        }
        await world.database.close()
    }

    @Test func arrearsAndTheForecastWithMortgageArrivals() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            // A: instalments from 60 days ago, the deposit half paid, nothing else.
            let (a, aLines) = try await money.subscribe(client, "102", [
                "paymentMethod": "instalments", "deposit": ["kind": "earnest", "amount": "100000"], "subscribedOn": shanghaiDay(-60),
                "terms": ["downPaymentRatio": 3000, "instalmentCount": 3, "instalmentIntervalMonths": 2]])
            _ = try await money.collect(client, a, ["method": "cash", "amount": "50000"])
            // B: a mortgage from 10 days ago, the loan expected in 20 days; nothing paid.
            let (b, bLines) = try await money.subscribe(client, "201", [
                "paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "20000"], "subscribedOn": shanghaiDay(-10),
                "terms": ["commercialLoan": "300000", "loanDueDays": 30, "downPaymentDueDays": 5]])
            // C: cancelled, its lines are no one's arrears.
            let (c, _) = try await money.subscribe(client, "202", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"],
                                                                   "subscribedOn": shanghaiDay(-30)])
            try await world.sql("UPDATE deals SET stage = 'cancelled' WHERE id = \(UUID(uuidString: c)!)")

            let today = shanghaiDay(0)
            let arrears = try await checked(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?asOf=\(today)", money.cashier,
                                            spec: "/v1/projects/{id}/arrears")
            #expect(arrears.items.compactMap { $0["dealId"] as? String } == [a, b], "\(arrears.text)")
            let first = arrears.items[0]
            #expect(first["daysOverdue"] as? Int == 60 && first["oldestDueOn"] as? String == shanghaiDay(-60) && first["roomNumber"] as? String == "102")
            #expect((first["lines"] as? [[String: Any]])?.map { "\($0["kind"] as? String ?? "") \($0["open"] as? String ?? "") \($0["daysOverdue"] as? Int ?? -1)" }
                    == ["deposit 50000.00 60", "down_payment 500000.00 53"])
            #expect((first["buyers"] as? [[String: Any]])?.first?["name"] as? String == "Lin Yue")
            let second = arrears.items[1]
            #expect((second["lines"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["deposit", "down_payment"])
            #expect(second["overdue"] as? String == "200000.00" && second["daysOverdue"] as? Int == 10)
            #expect(arrears.body["deals"] as? Int == 2 && arrears.body["lines"] as? Int == 4 && arrears.string("overdue") == "750000.00")
            // A line due today is not overdue yet; lenders are not late; paged oldest first.
            let early = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?asOf=\(shanghaiDay(-53))", money.cashier)
            #expect(early.items.count == 1 && (early.items[0]["lines"] as? [[String: Any]])?.count == 1)
            #expect(try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?payer=commercial_lender", money.cashier).items.isEmpty)
            let lateLoan = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?payer=commercial_lender&asOf=\(shanghaiDay(21))",
                                          money.cashier)
            #expect(lateLoan.items.compactMap { $0["dealId"] as? String } == [b] && lateLoan.string("overdue") == "300000.00")
            let page = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?limit=1", money.cashier)
            #expect(page.items.compactMap { $0["dealId"] as? String } == [a])
            let cursor = try #require(page.string("nextCursor"))
            let rest = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?limit=1&cursor=\(cursor)", money.cashier)
            #expect(rest.items.compactMap { $0["dealId"] as? String } == [b], "\(rest.text)")
            #expect(try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears?cursor=nope", money.cashier).errorFields == ["cursor"])

            // The forecast: the loan expected in its month apart from the buyers' money; all that is open is somewhere, once.
            let thisMonth = String(today.prefix(7))
            let forecast = try await checked(client, .get, "/v1/projects/\(money.deals.riverside)/collection-forecast?from=\(thisMonth)&months=12",
                                             money.cashier, spec: "/v1/projects/{id}/collection-forecast")
            let months = forecast.body["months"] as? [[String: Any]] ?? []
            #expect(months.count == 12 && months.first?["month"] as? String == thisMonth)
            let loanMonth = String(shanghaiDay(20).prefix(7))
            let expected = months.first { $0["month"] as? String == loanMonth }?["expected"] as? [String: Any] ?? [:]
            #expect(cny(expected["commercialLenders"]) == Money(yuan: 300_000) && cny(expected["mortgageArrivals"]) >= Money(yuan: 300_000), "\(expected)")
            func total(_ object: Any?) -> Money { cny((object as? [String: Any])?["total"]) }
            let everything = months.reduce(total(forecast.body["overdue"]) + total(forecast.body["later"])) { $0 + total($1["expected"]) }
            let open = [aLines, bLines].joined().reduce(Money.zero) { $0 + cny($1["amount"]) } - Money(yuan: 50_000)
            #expect(everything == open)
            #expect(try await call(client, .get, "/v1/projects/\(money.deals.riverside)/collection-forecast?months=37", money.cashier).errorFields == ["months"])
            #expect(try await call(client, .get, "/v1/projects/\(money.deals.riverside)/collection-forecast?from=2026-13", money.cashier).errorFields == ["from"])
            let consultant = try await call(client, .get, "/v1/projects/\(money.deals.riverside)/arrears", money.consultant)
            #expect(consultant.status == .forbidden)
        }
        await world.database.close()
    }

    /// THE reconciliation: after a scripted month of collections (partial, over, in HKD, a lender's
    /// funds), refunds (from credit, from lines) and voids (of a partial payment, of a mistaken one,
    /// of one whose money partly sat in credit, and one refused because its money was refunded), the
    /// receivables, allocations, collections, refunds and receipts agree to the cent with the deals'
    /// balances, through the API and in the database.
    @Test func aScriptedMonthReconcilesToTheCent() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let finance = try await signIn(client, "group.finance")
            for (day, rate) in [(shanghaiDay(-30), "0.91"), (shanghaiDay(-15), "0.905123")] {
                #expect(try await call(client, .put, "/v1/exchange-rates/HKD/\(day)", finance, ["rate": rate]).status == .created)
            }
            let (d1, _) = try await money.subscribe(client, "101", ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"],
                                                                    "subscribedOn": shanghaiDay(-30), "terms": ["downPaymentDueDays": 10]])
            let (d2, d2Lines) = try await money.subscribe(client, "102", [
                "paymentMethod": "instalments", "deposit": ["kind": "earnest", "amount": "100000"], "subscribedOn": shanghaiDay(-30),
                "terms": ["downPaymentRatio": 3000, "instalmentCount": 3, "instalmentIntervalMonths": 1]])
            let (d3, d3Lines) = try await money.subscribe(client, "201", [
                "paymentMethod": "commercial_mortgage", "deposit": ["kind": "earnest", "amount": "20000"], "subscribedOn": shanghaiDay(-28),
                "terms": ["commercialLoan": "300000", "loanDueDays": 20]])
            let (d4, _) = try await money.subscribe(client, "202", [
                "paymentMethod": "provident_fund_mortgage", "deposit": ["kind": "intent", "amount": "10000"], "subscribedOn": shanghaiDay(-25),
                "terms": ["providentFundLoan": "200000"]])
            let deals = [d1, d2, d3, d4]
            // The script's own ledger: what each deal holds (collected − refunded − voided).
            var ledger: [String: Money] = Dictionary(uniqueKeysWithValues: deals.map { ($0, Money.zero) })
            var receipts: [String] = []
            func collect(_ deal: String, _ body: [String: Any], expect amount: String) async throws -> Reply {
                let reply = try await money.collect(client, deal, body)
                #expect(reply.status == .created && reply.string("amount") == amount, "\(reply.text)")
                ledger[deal]! = ledger[deal]! + cny(reply.body["amount"])
                receipts.append(reply.receipt["id"] as? String ?? "")
                return reply
            }
            func refund(_ deal: String, _ body: [String: Any]) async throws {
                let reply = try await money.refund(client, deal, body)
                #expect(reply.status == .created, "\(reply.text)")
                ledger[deal]! = ledger[deal]! - cny(reply.body["amount"])
            }
            func void(_ deal: String, _ collection: Reply) async throws {
                let reply = try await money.void(client, receipt: collection.receipt["id"] as! String)
                #expect(reply.status == .ok, "\(reply.text)")
                ledger[deal]! = ledger[deal]! - cny(collection.body["amount"])
            }

            _ = try await collect(d1, ["method": "cash", "amount": "50000", "receivedOn": shanghaiDay(-30)], expect: "50000.00")
            _ = try await collect(d2, ["method": "card", "amount": "100000", "receivedOn": shanghaiDay(-29)], expect: "100000.00")
            let over = try await collect(d3, ["method": "transfer", "amount": "250000", "receivedOn": shanghaiDay(-27)], expect: "250000.00")
            #expect(over.string("toCredit") == "50000.00")
            let bounced = try await collect(d1, ["method": "transfer", "amount": "300000", "receivedOn": shanghaiDay(-25)], expect: "300000.00")
            // 50,000.00 HKD at the rate of six days before: 0.91.
            _ = try await collect(d4, ["method": "transfer", "currency": "HKD", "foreignAmount": "50000", "receivedOn": shanghaiDay(-24)],
                                  expect: "45500.00")
            // 333,333.33 HKD × 0.905123 = 301,707.66364959 → 301,707.66.
            _ = try await collect(d2, ["method": "transfer", "currency": "HKD", "foreignAmount": "333333.33", "receivedOn": shanghaiDay(-14)],
                                  expect: "301707.66")
            try await void(d1, bounced)
            _ = try await collect(d1, ["method": "transfer", "amount": "250000", "receivedOn": shanghaiDay(-20)], expect: "250000.00")
            try await refund(d3, ["method": "transfer", "amount": "30000", "reason": "overpaid", "refundedOn": shanghaiDay(-18)])
            let loan = try #require(d3Lines.first { $0["kind"] as? String == "commercial_loan" }?["id"] as? String)
            _ = try await collect(d3, ["method": "transfer", "amount": "300000", "payer": "ICBC", "receivedOn": shanghaiDay(-10),
                                       "allocations": [["receivableId": loan, "amount": "300000"]]], expect: "300000.00")
            let wrongDeal = try await collect(d4, ["method": "cash", "amount": "80000", "receivedOn": shanghaiDay(-12)], expect: "80000.00")
            try await void(d4, wrongDeal)
            _ = try await collect(d4, ["method": "transfer", "amount": "80000", "receivedOn": shanghaiDay(-11)], expect: "80000.00")
            let deposit2 = try #require(d2Lines.first { $0["kind"] as? String == "deposit" }?["id"] as? String)
            try await refund(d2, ["method": "cash", "amount": "10000", "reason": "discount granted after payment", "refundedOn": shanghaiDay(-8),
                                  "allocations": [["receivableId": deposit2, "amount": "10000"]]])
            let overpaid = try await collect(d1, ["method": "cash", "amount": "710000", "receivedOn": shanghaiDay(-5)], expect: "710000.00")
            #expect(overpaid.string("toCredit") == "10000.00")
            try await void(d1, overpaid)
            _ = try await collect(d1, ["method": "card", "amount": "400000", "receivedOn": shanghaiDay(-4)], expect: "400000.00")
            _ = try await collect(d3, ["method": "cash", "amount": "0.01", "receivedOn": shanghaiDay(-3)], expect: "0.01")
            let instalment = try #require(d2Lines.first { $0["kind"] as? String == "instalment" }?["id"] as? String)
            _ = try await collect(d2, ["method": "card", "amount": "1000", "receivedOn": shanghaiDay(-2),
                                       "allocations": [["receivableId": instalment, "amount": "1000"]]], expect: "1000.00")
            // The overpayment's credit was partly refunded: its receipt cannot be voided, and nothing changes.
            let refused = try await call(client, .post, "/v1/receipts/\(over.receipt["id"] as! String)/void", money.cashier, ["reason": "test"])
            #expect(refused.status == .conflict && refused.code == "collection-money-moved", "\(refused.text)")

            // The script's ledger, by hand.
            #expect(ledger == [d1: Money(yuan: 700_000), d2: Money(minorUnits: 39_270_766), d3: Money(minorUnits: 52_000_001),
                               d4: Money(yuan: 125_500)])
            var liveCollections = Money.zero, voidedCollections = Money.zero, collectionCount = 0
            for deal in deals {
                let body = try await money.deal(client, deal)
                let lines = body.lines
                let collections = try await checked(client, .get, "/v1/deals/\(deal)/collections", money.cashier, spec: "/v1/deals/{id}/collections").items
                let refunds = try await checked(client, .get, "/v1/deals/\(deal)/refunds", money.cashier, spec: "/v1/deals/{id}/refunds").items
                let totalPaid = cny(body.body["totalPaid"]), credit = cny(body.body["credit"])
                let collected = collections.reduce(Money.zero) { $0 + cny($1["amount"]) }
                let voided = collections.filter { $0["live"] as? Bool == false }.reduce(Money.zero) { $0 + cny($1["amount"]) }
                let refunded = refunds.reduce(Money.zero) { $0 + cny($1["amount"]) }
                liveCollections = liveCollections + collected - voided
                voidedCollections = voidedCollections + voided
                collectionCount += collections.count
                // Collections − refunds − voided = paid on the receivables + credit = the script's ledger.
                #expect(collected - refunded - voided == totalPaid + credit, "\(deal)")
                #expect(totalPaid + credit == ledger[deal]!, "\(deal)")
                // Each movement accounted: allocations and reversals of collections, refunds from lines, to the cent.
                let onLines = collections.reduce(Money.zero) { total, collection in
                    ((collection["allocations"] as? [[String: Any]] ?? []) + (collection["reversals"] as? [[String: Any]] ?? []))
                        .reduce(total) { $0 + cny($1["amount"]) }
                } + refunds.reduce(Money.zero) { total, refund in (refund["allocations"] as? [[String: Any]] ?? []).reduce(total) { $0 + cny($1["amount"]) } }
                #expect(onLines == totalPaid, "\(deal)")
                let reversedFromCredit = collections.filter { $0["live"] as? Bool == false }.reduce(Money.zero) { total, collection in
                    total + cny(collection["amount"]) + (collection["reversals"] as? [[String: Any]] ?? []).reduce(Money.zero) { $0 + cny($1["amount"]) }
                }
                let toCredit = collections.reduce(Money.zero) { $0 + cny($1["toCredit"]) }
                let refundedFromCredit = refunds.reduce(Money.zero) { $0 + cny($1["fromCredit"]) }
                #expect(toCredit - reversedFromCredit - refundedFromCredit == credit, "\(deal)")
                // The balance is what is due less what is paid, line by line.
                let due = lines.reduce(Money.zero) { $0 + cny($1["amount"]) }
                let open = lines.reduce(Money.zero) { $0 + cny($1["open"]) }
                #expect(cny(body.body["totalDue"]) == due && cny(body.body["balance"]) == due - totalPaid && open == due - totalPaid, "\(deal)")
                #expect(lines.allSatisfy { cny($0["paid"]) + cny($0["open"]) == cny($0["amount"]) })
                // In the database: every line's paid is the sum of its allocations; nothing paid sits on a superseded line.
                let id = UUID(uuidString: deal)!
                #expect(try await money.scalar("""
                    SELECT (SELECT coalesce(sum(paid), 0) FROM receivables WHERE deal_id = \(id))::text AS v
                    """) == totalPaid.description, "\(deal)")
                #expect(try await money.scalar("""
                    SELECT count(*)::text AS v FROM receivables r
                    WHERE r.deal_id = \(id) AND r.paid <> (SELECT coalesce(sum(a.amount), 0) FROM allocations a WHERE a.receivable_id = r.id)
                    """) == "0", "\(deal)")
                #expect(try await money.scalar("SELECT credit::text AS v FROM deals WHERE id = \(id)") == credit.description)
            }
            #expect(ledger[d1] == Money(yuan: 700_000))
            #expect(voidedCollections == Money(yuan: 300_000 + 80_000 + 710_000) && collectionCount == 14)
            // The register: every number there, once; what it shows as live is what the deals hold as live collections.
            let register = try await checked(client, .get, "/v1/projects/\(money.deals.riverside)/receipts?from=\(shanghaiDay(-1))&to=\(shanghaiDay(0))&limit=500",
                                             money.cashier, spec: "/v1/projects/{id}/receipts")
            let years = register.body["years"] as? [[String: Any]] ?? []
            #expect(years.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 14 && years.allSatisfy { $0["contiguous"] as? Bool == true })
            #expect(years.reduce(Money.zero) { $0 + cny($1["liveTotal"]) } == liveCollections)
            #expect(years.reduce(Money.zero) { $0 + cny($1["voidedTotal"]) } == voidedCollections)
            #expect(years.reduce(0) { $0 + ($1["voided"] as? Int ?? 0) } == 3)
            #expect(register.items.compactMap { $0["id"] as? String } == receipts)
            #expect(register.items.filter { $0["voided"] as? Bool == false }.reduce(Money.zero) { $0 + cny($1["amount"]) } == liveCollections)
            #expect(try await money.scalar("""
                SELECT count(*)::text AS v FROM receipts r JOIN collections c ON c.group_id = r.group_id AND c.id = r.collection_id
                WHERE r.amount <> c.amount
                """) == "0")
            #expect(try await money.scalar("""
                SELECT ((SELECT coalesce(sum(amount), 0) FROM collections) - (SELECT coalesce(sum(amount), 0) FROM refunds)
                        - (SELECT coalesce(sum(amount), 0) FROM receipts WHERE voided_at IS NOT NULL)
                        - (SELECT coalesce(sum(paid), 0) FROM receivables) - (SELECT coalesce(sum(credit), 0) FROM deals))::text AS v
                """) == "0.00")
        }
        await world.database.close()
    }
}
