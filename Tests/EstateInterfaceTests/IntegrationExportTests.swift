import EstateData
@testable import EstateInterface
import EstateTestSupport
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import PQ
import Testing

/// One answer of an integration export: the status, the XML document (validated against its XSD
/// from schemas/integration in the test) or the problem.
struct ExportReply {
    let status: HTTPResponse.Status
    let text: String
    let root: LibXML.XMLElement?
    let problem: [String: Any]

    var rows: [LibXML.XMLElement] { root?.elements ?? [] }
    var more: Bool? { root?.attribute(named: "more").map { $0 == "true" } }
    var nextCursor: String? { root?.attribute(named: "nextCursor") }
    var errorFields: [String] { (problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    var code: String? { problem["code"] as? String }
}

extension LibXML.XMLElement {
    /// The first child element called `name` (any namespace: the documents have one each).
    func child(_ name: String) -> LibXML.XMLElement? { elements.first { $0.name == name } }
    func children(_ name: String) -> [LibXML.XMLElement] { elements.filter { $0.name == name } }
    /// The text of the child at the end of `path`.
    func value(_ path: String...) -> String? {
        var element: LibXML.XMLElement? = self
        for name in path { element = element?.child(name) }
        return element?.text
    }
    subscript(_ name: String) -> String? { attribute(named: name) }
}

enum Exports {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The XSDs as the repository has them (the server validates with its bundled copy).
    static let schemas: IntegrationSchemas = try! IntegrationSchemas(directory: repository.appendingPathComponent("schemas/integration"))

    static let handovers = ("/v1/integration/property/handovers", "property-handovers-v1")
    static let sales = ("/v1/integration/cost/sales", "cost-sales-v1")
    static let vouchers = ("/v1/integration/finance/vouchers", "finance-vouchers-v1")
    static let approvals = ("/v1/integration/oa/approval-requests", "oa-approval-requests-v1")

    /// GET `export` with `query`: checked against the spec, a 200 parsed and validated against the XSD.
    static func get(_ client: some TestClientProtocol, _ export: (String, String), _ token: String,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> ExportReply {
        try await get(client, export, "", token, sourceLocation: sourceLocation)
    }

    static func get(_ client: some TestClientProtocol, _ export: (String, String), _ query: String, _ token: String,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> ExportReply {
        let uri = export.0 + (query.isEmpty ? "" : "?\(query)")
        return try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
            try expectConforms(response, to: "GET", export.0, sourceLocation: sourceLocation)
            let bytes = Data(response.body.readableBytesView)
            guard response.status == .ok else {
                let problem = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] ?? [:]
                return ExportReply(status: response.status, text: response.text, root: nil, problem: problem)
            }
            #expect(response.contentType.hasPrefix("application/xml"), sourceLocation: sourceLocation)
            let document = try XMLDocument.parse(bytes, limits: XMLLimits(maxBytes: bytes.count + 1, maxDepth: 64, maxElements: 1_000_000,
                                                                          maxAttributesPerElement: 64))
            let schema = try #require(schemas.schemas[export.1])
            #expect(document.root.namespaceURI == schema.namespace, sourceLocation: sourceLocation)
            #expect(throws: Never.self, "\(uri)", sourceLocation: sourceLocation) { try schema.schema.validate(document) }
            return ExportReply(status: response.status, text: response.text, root: document.root, problem: [:])
        }
    }

    /// Every row of `export` from `cursor` on, page by page (`limit` each) until `more` is false.
    static func all(_ client: some TestClientProtocol, _ export: (String, String), _ token: String,
                    after cursor: String? = nil, limit: Int = 500) async throws -> (rows: [LibXML.XMLElement], cursor: String?, pages: Int) {
        try await all(client, export, "", token, after: cursor, limit: limit)
    }

    static func all(_ client: some TestClientProtocol, _ export: (String, String), _ query: String, _ token: String,
                    after cursor: String? = nil, limit: Int = 500) async throws -> (rows: [LibXML.XMLElement], cursor: String?, pages: Int) {
        var rows: [LibXML.XMLElement] = []
        var cursor = cursor
        var pages = 0
        while true {
            var parameters = ["limit=\(limit)"]
            if !query.isEmpty { parameters.append(query) }
            if let cursor { parameters.append("cursor=\(cursor)") }
            let page = try await get(client, export, parameters.joined(separator: "&"), token)
            try #require(page.status == .ok, "\(page.text)")
            pages += 1
            rows += page.rows
            #expect(page.rows.count <= limit)
            #expect(page.nextCursor != nil || (cursor == nil && rows.isEmpty))
            cursor = page.nextCursor
            if page.more != true { return (rows, cursor, pages) }
        }
    }

    /// Every row of `export`, asked again until `done(rows)`: a row shows once every older
    /// transaction of the cluster has ended, so one just committed may show late while another
    /// test's transaction runs (a bulk seed's for a while; the wait gives up after 5 minutes).
    static func settled(_ client: some TestClientProtocol, _ export: (String, String), _ token: String,
                        after cursor: String? = nil, limit: Int = 500,
                        until done: ([LibXML.XMLElement]) -> Bool) async throws -> (rows: [LibXML.XMLElement], cursor: String?, pages: Int) {
        try await settled(client, export, "", token, after: cursor, limit: limit, until: done)
    }

    static func settled(_ client: some TestClientProtocol, _ export: (String, String), _ query: String, _ token: String,
                        after cursor: String? = nil, limit: Int = 500,
                        until done: ([LibXML.XMLElement]) -> Bool) async throws -> (rows: [LibXML.XMLElement], cursor: String?, pages: Int) {
        let deadline = ContinuousClock.now + .seconds(300)
        while true {
            let result = try await all(client, export, query, token, after: cursor, limit: limit)
            if done(result.rows) { return result }
            guard ContinuousClock.now < deadline else { throw Harness.Failure("\(export.0)?\(query) did not settle: \(result.rows.count) rows") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Pays money through the cashier's routes (MoneyWorld) and returns the receipt's id.
private func receiptID(_ reply: Reply) -> String? { reply.receipt["id"] as? String }

@Suite("Integration exports: handovers, sales, vouchers, approval requests")
struct IntegrationExportTests {
    // MARK: property-handovers-v1

    @Test func handoversCarryOwnersRoomAreasAndDatesMaskedWithoutPII() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let deals = try await DealWorld.make(client, world)
            try await deals.priceAtTwentyThousand("101")
            try await deals.priceAtTwentyThousand("102")
            try await world.sql("UPDATE rooms SET external_code = 'RG-D1-102' WHERE id = \(deals.rooms["102"]!)")
            let consultant = try await signIn(client, "property.consultant")
            let wang = try await deals.customer(client, consultant, "Wang Fang", phone: "13900001111")
            let zhao = try await deals.customer(client, consultant, "Zhao Lei", phone: "13900002222")

            // Room 102 to property management with two owners; room 101 only to the keys.
            func sale(_ room: String, buyers: [[String: Any]], through last: String) async throws -> String {
                let created = try await call(client, .post, "/v1/deals", consultant, [
                    "roomId": deals.rooms[room]!.uuidString, "buyers": buyers,
                    "subscription": ["paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "100000"],
                                     "subscribedOn": shanghaiDay(-60)]])
                #expect(created.status == .created, "\(created.text)")
                let id = try created.id().uuidString
                let steps: [(String, [String: Any])] = [
                    ("contract", ["date": shanghaiDay(-50), "contractNumber": "HT-\(room)", "filingNumber": "F-\(room)"]),
                    ("settle-area", ["date": shanghaiDay(-30), "actualArea": "101"]),
                    ("send-move-in-notice", ["date": shanghaiDay(-20)]), ("inspect", ["date": shanghaiDay(-15)]),
                    ("hand-over-keys", ["date": shanghaiDay(-10)]), ("hand-over-to-property-management", ["date": shanghaiDay(-8)]),
                ]
                for (name, body) in steps {
                    let reply = try await step(client, consultant, id, name, body)
                    #expect(reply.status == .ok, "\(name): \(reply.text)")
                    if name == last { break }
                }
                return id
            }
            let handed = try await sale("102", buyers: [["customerId": wang, "shareBasisPoints": 6000], ["customerId": zhao, "shareBasisPoints": 4000]],
                                        through: "hand-over-to-property-management")
            let keysOnly = try await sale("101", buyers: [["customerId": zhao]], through: "hand-over-keys")

            // The sales controller reads deals but not personal data: masked.
            let controller = try await signIn(client, "sales.controller")
            let masked = try await Exports.settled(client, Exports.handovers, controller) { !$0.isEmpty }
            try #require(masked.rows.count == 1, "\(masked.rows)")
            let row = masked.rows[0]
            #expect(row["dealId"] == handed.lowercased() && row["stage"] == "property_handed_over")
            #expect(!masked.rows.contains { $0["dealId"] == keysOnly.lowercased() })
            #expect(row.child("project")?["code"] == "riverside")
            let room = try #require(row.child("room"))
            #expect(room["id"] == deals.rooms["102"]!.uuidString.lowercased() && room["externalCode"] == "RG-D1-102")
            #expect(room.child("building")?["code"] == "d1" && room.value("number") == "102" && room.value("floor") == "1")
            #expect(room.value("unit") != nil && room.value("kind") != nil)
            #expect(row.child("contract")?["number"] == "HT-102" && row.child("contract")?["signedOn"] == shanghaiDay(-50))
            // 100 m² contracted at 2,000,000, surveyed at 101: 1 m² at 20,000 within the band.
            #expect(row.child("areas")?["basis"] == "built_area")
            #expect(row.value("areas", "contracted") == "100.00" && row.value("areas", "actual") == "101.00"
                    && row.value("areas", "settlementAmount") == "20000.00")
            #expect(row.value("dates", "keysHandedOver") == shanghaiDay(-10))
            #expect(row.value("dates", "handedOverToPropertyManagement") == shanghaiDay(-8))
            #expect(row.value("dates", "titleRegistered") == nil)
            let owners = row.child("owners")?.children("owner") ?? []
            #expect(owners.map { $0["customerId"] } == [wang.lowercased(), zhao.lowercased()])
            #expect(owners.map { $0["shareBasisPoints"] } == ["6000", "4000"])
            #expect(owners.map { $0.value("name") } == ["Wang Fang", "Zhao Lei"])
            #expect(owners.allSatisfy { $0["masked"] == "true" })
            #expect(owners.map { $0.children("phone").map(\.text) } == [[PhoneNumber.mask("13900001111")], [PhoneNumber.mask("13900002222")]])

            // The consultant holds customers.pii: the same row unmasked.
            let plain = try await Exports.all(client, Exports.handovers, consultant)
            let plainOwners = plain.rows.first?.child("owners")?.children("owner") ?? []
            #expect(plainOwners.map { $0.children("phone").map(\.text) } == [["13900001111"], ["13900002222"]])
            #expect(plainOwners.allSatisfy { $0["masked"] == "false" })

            // The deal changes (its title is registered): it comes again after the cursor, once.
            let titled = try await step(client, consultant, handed, "register-title", ["date": shanghaiDay(-5), "certificateNumber": "C-102"])
            #expect(titled.status == .ok, "\(titled.text)")
            let again = try await Exports.settled(client, Exports.handovers, controller, after: masked.cursor) { !$0.isEmpty }
            #expect(again.rows.map { $0["dealId"] } == [handed.lowercased()])
            #expect(again.rows.first?["stage"] == "title_registered" && again.rows.first?.value("dates", "titleRegistered") == shanghaiDay(-5))
            let nothing = try await Exports.get(client, Exports.handovers, "cursor=\(again.cursor!)", controller)
            #expect(nothing.rows.isEmpty && nothing.more == false && nothing.nextCursor == again.cursor)

            // updated_since: a moment after the change, nothing; before it, the deal.
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let none = try await Exports.get(client, Exports.handovers, "updated_since=\(later)", controller)
            #expect(none.status == .ok && none.rows.isEmpty)
            let earlier = try await Exports.get(client, Exports.handovers, "updated_since=\(moment(-3600))", controller)
            #expect(earlier.rows.count == 1)

            // Another group's administrator (every permission there) sees none of it; the cashier
            // reads deals too; a caller without deals.read anywhere is refused.
            let other = try await Exports.get(client, Exports.handovers, try await signIn(client, "admin", group: "other"))
            #expect(other.status == .ok && other.rows.isEmpty && other.more == false)
            let admin = try await Exports.get(client, Exports.handovers, try await signIn(client, "system.administrator"))
            #expect(admin.status == .forbidden, "\(admin.text)")
        }
    }

    // MARK: cost-sales-v1

    @Test func salesAreContractedLessTerminatedPerBuildingAndMonthToTheCent() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let deals = desk.deals
            // Areas and prices with cents: 101 95.55 m² at 1,234,567.89; 102 100 m² at 2,000,000.00;
            // 201 88.88 m² at 500,000.55; 202 70.01 m² at 480,000.10 (contracted in an earlier month).
            try await world.sql("""
                UPDATE rooms r SET built_area_forecast = x.area, pricing_basis = 'built_area', list_price = x.price, floor_price = NULL
                FROM (VALUES (\(deals.rooms["101"]!), 95.55::numeric, 1234567.89::numeric), (\(deals.rooms["102"]!), 100.00, 2000000.00),
                             (\(deals.rooms["201"]!), 88.88, 500000.55), (\(deals.rooms["202"]!), 70.01, 480000.10)) AS x(id, area, price)
                WHERE r.id = x.id::uuid
                """)
            var ids: [String: String] = [:]
            for (room, day) in [("101", 0), ("102", 0), ("201", 0), ("202", -40)] {
                let id = try await desk.subscribed(room, deposit: ("earnest", "50000"), subscription: ["subscribedOn": shanghaiDay(-45)])
                let contracted = try await step(client, desk.consultant, id, "contract", [
                    "date": shanghaiDay(day), "contractNumber": "HT-\(room)", "filingNumber": "F-\(room)"])
                #expect(contracted.status == .ok, "\(contracted.text)")
                ids[room] = id
            }
            // 201 is terminated today.
            _ = try await desk.carryOut(ids["201"]!, ["kind": "termination", "reason": "Buyer withdrew", "refundReason": "mutual"],
                                        requester: desk.manager, approver: desk.city)
            let month = YearMonth(LocalDate(shanghaiDay(0))!), earlier = YearMonth(LocalDate(shanghaiDay(-40))!)

            let controller = try await signIn(client, "sales.controller")
            let result = try await Exports.settled(client, Exports.sales, "period=\(month)", controller) { rows in
                rows.first?.child("terminated")?["deals"] == "1"
            }
            try #require(result.rows.count == 1, "\(result.rows)")
            let row = result.rows[0]
            #expect(row["month"] == month.description && row.child("building")?["code"] == "d1" && row.child("project")?["code"] == "riverside")
            func figures(_ row: LibXML.XMLElement, _ name: String) -> [String?] {
                [row.child(name)?["deals"], row.child(name)?["area"], row.child(name)?["revenue"]]
            }
            #expect(figures(row, "contracted") == ["3", "284.43", "3734568.44"])
            #expect(figures(row, "terminated") == ["1", "88.88", "500000.55"])
            #expect(figures(row, "sold") == ["2", "195.55", "3234567.89"])

            // A range: the earlier month's own row, months in order of their change.
            let range = try await Exports.all(client, Exports.sales, "period=\(earlier)/\(month)", controller)
            #expect(range.rows.count == 2)
            let first = try #require(range.rows.first { $0["month"] == earlier.description })
            #expect(figures(first, "contracted") == ["1", "70.01", "480000.10"] && figures(first, "sold") == ["1", "70.01", "480000.10"])
            // Only the earlier month.
            let alone = try await Exports.all(client, Exports.sales, "period=\(earlier)", controller)
            #expect(alone.rows.map { $0["month"] } == [earlier.description])

            // A later price change of a contracted deal (a change of discount) brings its month again, restated.
            let before = range.cursor
            try await world.sql("UPDATE deals SET final_price = final_price + 0.01 WHERE id = \(UUID(uuidString: ids["102"]!)!)")
            let restated = try await Exports.settled(client, Exports.sales, "period=\(earlier)/\(month)", controller, after: before) { !$0.isEmpty }
            #expect(restated.rows.map { $0["month"] } == [month.description])
            #expect(restated.rows.first.map { figures($0, "sold") } == ["2", "195.55", "3234567.90"])

            // The cashier has no reports.read: 403. Bad periods and cursors: 400 naming them.
            let cashier = try await Exports.get(client, Exports.sales, "period=\(month)", try await signIn(client, "cashier"))
            #expect(cashier.status == .forbidden && cashier.code == "forbidden", "\(cashier.text)")
            for (query, field) in [("", "period"), ("period=2026-13", "period"), ("period=0000-01", "period"), ("period=2026-01/", "period"),
                                   ("period=2026-01&cursor=abc", "cursor"), ("period=2026-01&cursor=1.\(String(repeating: "A", count: 32)).0", "cursor"),
                                   ("period=2026-01&updated_since=yesterday", "updated_since"), ("period=2026-01&limit=0", "limit")] {
                let bad = try await Exports.get(client, Exports.sales, query, controller)
                #expect(bad.status == .badRequest && bad.errorFields.contains(field), "\(query): \(bad.text)")
            }
            // Well formed but no period: backwards, or longer than 120 months.
            for query in ["period=2026-05/2026-04", "period=2000-01/2026-01"] {
                let bad = try await Exports.get(client, Exports.sales, query, controller)
                #expect(bad.status == .unprocessableContent && bad.code == "invalid-period" && bad.errorFields == ["period"], "\(query): \(bad.text)")
            }
            // Another group sees nothing.
            let other = try await Exports.get(client, Exports.sales, "period=\(earlier)/\(month)", try await signIn(client, "admin", group: "other"))
            #expect(other.status == .ok && other.rows.isEmpty)
        }
    }

    // MARK: finance-vouchers-v1

    @Test func vouchersAreBalancedPerCollectionVoidAndRefundAndPageWithoutLoss() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let money = try await MoneyWorld.make(client, world)
            let (id, _) = try await money.subscribe(client, "202", [
                "paymentMethod": "full", "deposit": ["kind": "earnest", "amount": "50000"], "subscribedOn": shanghaiDay(-10)])
            let small = try await money.collect(client, id, ["method": "cash", "amount": "1000.00"])
            #expect(small.status == .created, "\(small.text)")
            let voided = try await money.void(client, receipt: try #require(receiptID(small)))
            #expect(voided.status == .ok, "\(voided.text)")
            let big = try await money.collect(client, id, ["method": "transfer", "amount": "520000.50", "payer": "Lin Yue"])
            #expect(big.status == .created && big.string("toCredit") == "20000.50", "\(big.text)")
            let refund = try await money.refund(client, id, ["method": "transfer", "amount": "5000", "reason": "overpaid"])
            #expect(refund.status == .created, "\(refund.text)")

            let cashier = money.cashier
            let all = try await Exports.settled(client, Exports.vouchers, cashier) { $0.count == 4 }
            #expect(all.rows.map { $0["kind"] } == ["collection", "receipt_void", "collection", "refund"])
            func lines(_ voucher: LibXML.XMLElement) -> [String] {
                (voucher.child("lines")?.children("line") ?? []).map { line in
                    [line["side"], line["account"], line["receivableKind"], line["amount"]].compactMap { $0 }.joined(separator: " ")
                }
            }
            #expect(lines(all.rows[0]) == ["debit cash 1000.00", "credit buyer_deposit deposit 1000.00"])
            #expect(lines(all.rows[1]) == ["credit cash 1000.00", "debit buyer_deposit deposit 1000.00"])
            #expect(lines(all.rows[2]) == ["debit bank 520000.50", "credit buyer_deposit deposit 50000.00",
                                           "credit buyer_receivable down_payment 450000.00", "credit buyer_credit 20000.50"])
            #expect(lines(all.rows[3]) == ["credit bank 5000.00", "debit buyer_credit 5000.00"])
            for voucher in all.rows {
                let totals = try #require(voucher.child("totals"))
                #expect(totals["debit"] == totals["credit"], "\(voucher)")
                #expect(voucher["date"] == shanghaiDay(0) && voucher.value("dealId") == id.lowercased())
            }
            let receipt = try #require(small.receipt["number"] as? String)
            #expect(all.rows[0].child("receipt")?["number"] == receipt && all.rows[1].child("receipt")?["number"] == receipt)
            #expect(all.rows[1].value("reverses") == all.rows[0]["id"] && all.rows[1].value("reason") == "entered by mistake")
            #expect(all.rows[2].value("payer") == "Lin Yue" && all.rows[3].value("reason") == "overpaid")

            // Page by page (one a page): every voucher once, in the same order; then a new one after
            // the last cursor, and only it.
            let paged = try await Exports.all(client, Exports.vouchers, cashier, limit: 1)
            #expect(paged.pages == 4 && paged.rows.map { $0["id"] } == all.rows.map { $0["id"] })
            try await Task.sleep(for: .milliseconds(5))
            let since = Date()
            try await Task.sleep(for: .milliseconds(5))
            let late = try await money.collect(client, id, ["method": "card", "amount": "0.01"])
            #expect(late.status == .created, "\(late.text)")
            let resumed = try await Exports.settled(client, Exports.vouchers, cashier, after: paged.cursor, limit: 1) { !$0.isEmpty }
            #expect(resumed.rows.map { $0["id"] } == [late.string("id")?.lowercased()])
            #expect(lines(resumed.rows[0]) == ["debit bank 0.01", "credit buyer_credit 0.01"])
            let recent = try await Exports.get(client, Exports.vouchers, "updated_since=\(preciseMoment(since))", cashier)
            #expect(recent.rows.map { $0["id"] } == [late.string("id")?.lowercased()], "\(recent.text)")

            // By day: today's, none yesterday.
            #expect(try await Exports.all(client, Exports.vouchers, "date=\(shanghaiDay(0))", cashier).rows.count == 5)
            let yesterday = try await Exports.get(client, Exports.vouchers, "date=\(shanghaiDay(-1))", cashier)
            #expect(yesterday.rows.isEmpty && yesterday.root?["date"] == shanghaiDay(-1))

            // A cashier of another project (lakeside) holds payments.read there only: none of riverside's.
            let lakeside = try await world.unitID("lakeside")
            let groupID = try await world.groupID()
            let hash = try await IdentityWorld.fastHasher.hash(DemoData.password)
            try await world.database.unitOfWork { work in
                let user = User(groupID: groupID, id: UUIDv7.make(), orgUnitID: lakeside, username: "lake.cashier", displayName: "Lake cashier")
                try await work.users.insert(user, passwordHash: hash)
                _ = try await work.roles.grant(BuiltInRoles.cashier.code, userID: user.id, orgUnitID: lakeside, groupID: groupID)
            }
            let lake = try await Exports.get(client, Exports.vouchers, try await signIn(client, "lake.cashier"))
            #expect(lake.status == .ok && lake.rows.isEmpty, "\(lake.text)")

            // The consultant has no payments.read; a bad day is 400; another group sees nothing.
            #expect(try await Exports.get(client, Exports.vouchers, money.consultant).status == .forbidden)
            let bad = try await Exports.get(client, Exports.vouchers, "date=2026-02-30", cashier)
            #expect(bad.status == .badRequest && bad.errorFields == ["date"], "\(bad.text)")
            let other = try await Exports.get(client, Exports.vouchers, try await signIn(client, "admin", group: "other"))
            #expect(other.status == .ok && other.rows.isEmpty)
        }
    }

    // MARK: oa-approval-requests-v1

    @Test func approvalRequestsCarryTheChangeAndComeAgainWhenDecided() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let desk = try await ChangeDesk.make(client, world)
            let spouse = try await desk.deals.customer(client, desk.consultant, "Lin Mei", phone: "13900008888")
            let deal = try await desk.subscribed("101")
            let requested = try await desk.request(deal, desk.consultant, [
                "kind": "change_buyers", "reason": "Adding the spouse",
                "buyers": [["customerId": desk.buyer, "shareBasisPoints": 5000], ["customerId": spouse, "shareBasisPoints": 5000]]])
            #expect(requested.status == .created, "\(requested.text)")
            let id = try requested.id().uuidString.lowercased()
            let otherDeal = try await desk.subscribed("102")
            let second = try await desk.request(otherDeal, desk.consultant, [
                "kind": "change_buyers", "reason": "The spouse buys alone", "buyers": [["customerId": spouse]]])
            #expect(second.status == .created, "\(second.text)")
            let secondID = try second.id().uuidString.lowercased()

            let manager = desk.manager
            let first = try await Exports.settled(client, Exports.approvals, manager) { $0.count == 2 }
            #expect(first.rows.map { $0["id"] } == [id, secondID])
            let row = first.rows[0]
            #expect(row["id"] == id && row["kind"] == "change_buyers" && row["status"] == "pending")
            #expect(row["version"] == "1" && row["etag"] == "\"1\"")
            #expect(row.child("deal")?["id"] == deal.lowercased() && row.child("deal")?["stage"] == "subscribed")
            #expect(row.child("room")?["number"] == "101" && row.child("room")?.child("building")?["code"] == "d1")
            #expect(row.child("customers")?.children("customer").map { $0["name"] } == ["Lin Hui"])
            #expect(row.value("reason") == "Adding the spouse")
            #expect(row.child("requester")?["actor"]?.hasPrefix("user:") == true && row.child("requester")?["name"] == "Property consultant")
            // Ids as the payload keeps them (any case).
            let requestedFields = (row.child("requested")?.children("field") ?? []).map { "\($0["path"] ?? "")=\(($0.value("value") ?? "null").lowercased())" }
            #expect(requestedFields == ["buyers[0].customerId=\(desk.buyer.lowercased())", "buyers[0].shareBasisPoints=5000",
                                        "buyers[1].customerId=\(spouse.lowercased())", "buyers[1].shareBasisPoints=5000"], "\(requestedFields)")
            let changes = (row.child("changes")?.children("change") ?? []).map { ($0["path"] ?? "", $0.value("before"), $0.value("after")) }
            #expect(changes.contains { $0.0 == "deal.buyers[0].shareBasisPoints" && $0.1 == "10000" && $0.2 == "5000" }, "\(changes)")
            #expect(changes.contains { $0.0 == "deal.buyers[1].customerId" && $0.1 == nil && $0.2?.lowercased() == spouse.lowercased() }, "\(changes)")
            #expect(row.child("decision") == nil)

            // A change committed late: a transaction that began writing the first request before the
            // second is approved commits after it. While it runs, neither shows after the cursor
            // (the approval's transaction is younger than a running one); once it commits, both
            // come, the first before the second, each once.
            let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
            try await pool.transaction { late in
                _ = try await late.query("UPDATE change_requests SET reason = reason || ' (checked)' WHERE id = \(UUID(uuidString: id)!)")
                let approved = try await desk.approve(secondID, desk.manager, note: "fine")
                #expect(approved.status == .ok, "\(approved.text)")
                let meanwhile = try await Exports.get(client, Exports.approvals, "cursor=\(first.cursor!)", manager)
                #expect(meanwhile.status == .ok && meanwhile.rows.isEmpty && meanwhile.nextCursor == first.cursor, "\(meanwhile.text)")
            }
            await pool.close()
            let again = try await Exports.settled(client, Exports.approvals, manager, after: first.cursor) { $0.count >= 2 }
            #expect(again.rows.map { $0["id"] } == [id, secondID])
            #expect(again.rows.first?.value("reason") == "Adding the spouse (checked)" && again.rows.first?["status"] == "pending")
            let decided = try #require(again.rows.last)
            #expect(decided["status"] == "approved" && decided["version"] == "2" && decided["etag"] == "\"2\"")
            #expect(decided.child("decision")?.value("note") == "fine" && decided.child("decision")?["by"]?.hasPrefix("user:") == true)
            // Waiting for approval: only the first.
            let pending = try await Exports.get(client, Exports.approvals, "status=pending", manager)
            #expect(pending.status == .ok && pending.rows.map { $0["id"] } == [id])

            // The consultant has no deals.approve: 403; a bad status is 400; another group sees nothing.
            #expect(try await Exports.get(client, Exports.approvals, desk.consultant).status == .forbidden)
            let bad = try await Exports.get(client, Exports.approvals, "status=waiting", manager)
            #expect(bad.status == .badRequest && bad.errorFields == ["status"], "\(bad.text)")
            let other = try await Exports.get(client, Exports.approvals, try await signIn(client, "admin", group: "other"))
            #expect(other.status == .ok && other.rows.isEmpty)
        }
    }

    // MARK: Seeded data

    /// The scale seed (a project of its own group: rooms, customers, deals from reservation to the
    /// inspection with their collections and receipts) and the demo group: every export, every page,
    /// validated against its XSD; the figures agree with the database to the cent; neither group
    /// sees the other's rows.
    @Test func everyExportOnSeededData() async throws {
        let world = try await IdentityWorld.make()
        let seeding = try TestDatabase.database(url: world.url, statementTimeout: .seconds(600))
        _ = try await seeding.seedScale(projects: 1, parallelism: 1, hasher: IdentityWorld.fastHasher)
        // OA's reader: the scale group's management may approve too.
        try await seeding.unitOfWork { work in
            let group = try #require(try await work.groups.find(code: ScaleData.groupCode))
            let user = try #require(try await work.users.credentials(groupCode: ScaleData.groupCode, username: ScaleData.managementUser)?.user)
            _ = try await work.roles.grant(BuiltInRoles.citySalesManagement.code, userID: user.id, orgUnitID: user.orgUnitID, groupID: group.id)
            // ... and take a seeded deal through the handover steps.
            _ = try await work.roles.grant(BuiltInRoles.salesManager.code, userID: user.id, orgUnitID: user.orgUnitID, groupID: group.id)
        }
        await seeding.close()
        let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
        func scalar(_ sql: SQL) async throws -> String { try await pool.query(sql).firstRow!.decode("v", as: String.self) }
        let scaleGroup = try await scalar("SELECT id::text AS v FROM groups WHERE code = \(ScaleData.groupCode)")
        let collections = Int(try await scalar("SELECT count(*)::text AS v FROM collections WHERE group_id = \(scaleGroup)::uuid"))!
        let voids = Int(try await scalar("SELECT count(*)::text AS v FROM receipts WHERE group_id = \(scaleGroup)::uuid AND voided_at IS NOT NULL"))!
        let refunds = Int(try await scalar("SELECT count(*)::text AS v FROM refunds WHERE group_id = \(scaleGroup)::uuid"))!
        let collected = try await scalar("SELECT coalesce(sum(amount), 0)::text AS v FROM collections WHERE group_id = \(scaleGroup)::uuid")
        let firstContract = try await scalar("SELECT coalesce(min(contract_signed_on), current_date)::text AS v FROM deals WHERE group_id = \(scaleGroup)::uuid")
        let lastContract = try await scalar("SELECT coalesce(max(contract_signed_on), current_date)::text AS v FROM deals WHERE group_id = \(scaleGroup)::uuid")
        let contracts = try await scalar("""
            SELECT count(*)::text || ' ' || coalesce(sum(final_price), 0)::text || ' ' || coalesce(sum(contracted_area), 0)::text AS v
            FROM deals WHERE group_id = \(scaleGroup)::uuid AND contract_signed_on IS NOT NULL
            """)
        // A seeded contracted deal paid in full (so that nothing holds its handover back), and a
        // seeded subscribed deal, for the handover and the approval request the seed has none of.
        let toHandOver = try await scalar("""
            SELECT id::text AS v FROM deals WHERE group_id = \(scaleGroup)::uuid AND stage = 'contracted' AND payment_method = 'full'
            ORDER BY id LIMIT 1
            """)
        _ = try await pool.execute("UPDATE receivables SET paid = amount WHERE deal_id = \(toHandOver)::uuid AND superseded_at IS NULL")
        let contractedArea = try await scalar("SELECT contracted_area::text AS v FROM deals WHERE id = \(toHandOver)::uuid")
        let toCancel = try await scalar("""
            SELECT id::text AS v FROM deals WHERE group_id = \(scaleGroup)::uuid AND stage = 'subscribed' ORDER BY id LIMIT 1
            """)
        await pool.close()
        #expect(collections > 0, "the scale seed has collections")
        let period = "\(YearMonth(LocalDate(firstContract)!))/\(YearMonth(LocalDate(lastContract)!))"

        try await world.test { client in
            let scale = try await signIn(client, ScaleData.managementUser, group: ScaleData.groupCode)
            // Vouchers: one per collection, void and refund, each balanced, summing to what was collected.
            let vouchers = try await Exports.settled(client, Exports.vouchers, scale) { $0.count >= collections + voids + refunds }
            #expect(vouchers.rows.count == collections + voids + refunds)
            #expect(Set(vouchers.rows.compactMap { $0["id"] }).count == vouchers.rows.count)
            var received = Money.zero
            for voucher in vouchers.rows {
                let totals = try #require(voucher.child("totals"))
                #expect(totals["debit"] == totals["credit"])
                if voucher["kind"] == "collection" { received = received + Money(totals["debit"] ?? "")! }
            }
            #expect(received == Money(collected)!)
            // Sales: the contracted deals, their prices and areas, to the cent.
            let sales = try await Exports.settled(client, Exports.sales, "period=\(period)", scale) { !$0.isEmpty }
            var count = 0, revenue = Money.zero, area = Area.zero
            for row in sales.rows {
                let contracted = try #require(row.child("contracted"))
                count += Int(contracted["deals"] ?? "") ?? 0
                revenue = revenue + Money(contracted["revenue"] ?? "")!
                area = area + Area(contracted["area"] ?? "")!
            }
            #expect("\(count) \(revenue) \(area)" == contracts)
            // Handovers and approval requests: the seed has none of either, so one seeded deal goes
            // through the handover steps and another gets a cancellation request.
            for (offset, name, body) in [(-5, "settle-area", ["actualArea": contractedArea]), (-4, "send-move-in-notice", [:]), (-3, "inspect", [:]),
                                         (-2, "hand-over-keys", [:]), (-1, "hand-over-to-property-management", [:])] as [(Int, String, [String: Any])] {
                let reply = try await step(client, scale, toHandOver, name, body.merging(["date": shanghaiDay(offset)]) { first, _ in first })
                #expect(reply.status == .ok, "\(name): \(reply.text)")
            }
            let requested = try await call(client, .post, "/v1/deals/\(toCancel)/change-requests", scale,
                                           ["kind": "cancellation", "reason": "The buyer withdraws", "refundReason": "mutual"])
            #expect(requested.status == .created, "\(requested.text)")
            let handovers = try await Exports.settled(client, Exports.handovers, scale) { !$0.isEmpty }
            #expect(handovers.rows.map { $0["dealId"]?.lowercased() } == [toHandOver.lowercased()])
            #expect(handovers.rows.first?["stage"] == "property_handed_over")
            let approvals = try await Exports.settled(client, Exports.approvals, scale) { !$0.isEmpty }
            #expect(approvals.rows.map { $0["id"]?.lowercased() } == [try requested.id().uuidString.lowercased()], "\(approvals.rows)")

            // The demo group's readers see none of the scale group's rows.
            let management = try await signIn(client, "group.management")
            #expect(try await Exports.all(client, Exports.vouchers, management).rows.isEmpty)
            #expect(try await Exports.all(client, Exports.sales, "period=\(period)", management).rows.isEmpty)
        }
    }
}

/// An RFC 3339 time with milliseconds, in UTC.
func preciseMoment(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
}
