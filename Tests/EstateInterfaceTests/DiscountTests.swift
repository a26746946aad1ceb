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

@Suite("Pricing: discount schemes and quotes")
struct DiscountTests {
    static func moment(_ offset: TimeInterval) -> String {
        ISO8601DateFormatter().string(from: Date().addingTimeInterval(offset))
    }

    static func scheme(_ code: String, kind: String = "percentage", percent: String? = nil, amount: String? = nil,
                       stackingOrder: Int, extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = ["code": code, "name": "Scheme \(code)", "kind": kind, "stackingOrder": stackingOrder]
        if let percent { body["percent"] = percent }
        if let amount { body["amount"] = amount }
        return body.merging(extra) { _, new in new }
    }

    /// A building with one room at lakeside, which no demo sales user can reach, straight into the database.
    static func lakesideRoom(_ world: IdentityWorld) async throws -> (project: UUID, building: UUID, room: UUID) {
        let lakeside = try await world.unitID("lakeside")
        let groupID = try await world.groupID()
        return try await world.database.unitOfWork { work in
            let building = Building(groupID: groupID, id: UUIDv7.make(), projectID: lakeside, code: "l1", name: "Lake 1")
            try await work.buildings.insert(building)
            let room = Room(groupID: groupID, id: UUIDv7.make(), projectID: lakeside, buildingID: building.id,
                            attributes: RoomAttributes(number: "101", floor: 1, stack: 1))
            try await work.rooms.insert([room])
            return (lakeside, building.id, room.id)
        }
    }

    @Test func schemesWithValidationVersionsScopeAndAudit() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lake = try await Self.lakesideRoom(world)
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let rooms = try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: 2)
            let room = try #require(rooms["101"])
            let path = "/v1/projects/\(riverside)/discount-schemes"

            // Creation: a percentage for full payment, and a promotional fixed amount for some rooms in a window.
            let full = try await client.execute(uri: path, method: .post, headers: headers(controller),
                                                body: try jsonBody(Self.scheme("full-payment", percent: "2.5", stackingOrder: 10,
                                                                               extra: ["paymentMethods": ["full"]]))) { response in
                try expectConforms(response, to: "POST", "/v1/projects/{id}/discount-schemes")
                #expect(response.status == .created)
                #expect(response.headers[.eTag] == "\"1\"")
                return try response.jsonObject()
            }
            #expect(full["percent"] as? String == "2.50")
            #expect(full["kind"] as? String == "percentage")
            #expect(full["amount"] == nil)
            #expect(full["paymentMethods"] as? [String] == ["full"])
            #expect(full["active"] as? Bool == true)
            #expect(full["buildingIds"] as? [String] == [])
            let from = Self.moment(-3600), until = Self.moment(86_400 * 30)
            let promo = try await call(client, .post, path, controller, Self.scheme(
                "spring-gift", kind: "fixed_amount", amount: "5000", stackingOrder: 5,
                extra: ["validFrom": from, "validUntil": until, "roomIds": [room.uuidString], "buildingIds": [building.uuidString]]))
            #expect(promo.status == .created, "\(promo.text)")
            #expect(promo.string("amount") == "5000.00")
            #expect(promo.string("percent") == nil)
            #expect(promo.string("validFrom") != nil)
            #expect((promo.body["roomIds"] as? [String])?.compactMap(UUID.init(uuidString:)) == [room])
            let promoID = try promo.id()

            // Field errors, all at once; codes unique per project.
            #expect(try await call(client, .post, path, controller, Self.scheme("full-payment", percent: "1", stackingOrder: 1)).code == "code-taken")
            let bad = try await call(client, .post, path, controller, Self.scheme("Bad Code", percent: "0", stackingOrder: 1, extra: [
                "name": " ", "validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"]))
            #expect(bad.errorFields.sorted() == ["code", "name", "percent", "validUntil"], "\(bad.text)")
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", kind: "bogus", stackingOrder: 1)).errorFields == ["kind"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "1", amount: "10", stackingOrder: 1)).errorFields == ["amount"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", kind: "fixed_amount", stackingOrder: 1)).errorFields == ["amount"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", kind: "fixed_amount", amount: "0", stackingOrder: 1)).errorFields == ["amount"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "2.555", stackingOrder: 1)).errorFields == ["percent"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "100.01", stackingOrder: 1)).errorFields == ["percent"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "1", stackingOrder: 1,
                                                                                extra: ["validFrom": "tomorrow"])).errorFields == ["validFrom"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "1", stackingOrder: 1 << 40)).errorFields == ["stackingOrder"])
            #expect(try await call(client, .post, path, controller, Self.scheme("x1", percent: "1", stackingOrder: 1,
                                                                                extra: ["paymentMethods": ["full", "cash_in_a_sack"]])).errorFields == ["paymentMethods[1]"])
            #expect(try await call(client, .post, path, controller, ["code": "x1", "name": "X", "kind": "percentage", "percent": "1"]).errorFields == ["stackingOrder"])

            // Rooms and buildings must be the project's own.
            let foreign = try await call(client, .post, path, controller, Self.scheme("x1", percent: "1", stackingOrder: 1, extra: [
                "roomIds": [room.uuidString, lake.room.uuidString], "buildingIds": [room.uuidString]]))
            #expect(foreign.status == .badRequest)
            #expect(foreign.errorFields.sorted() == ["buildingIds[0]", "roomIds[1]"], "\(foreign.text)")

            // Permissions and reach.
            #expect(try await call(client, .post, path, consultant, Self.scheme("x1", percent: "1", stackingOrder: 1)).status == .forbidden)
            #expect(try await call(client, .post, "/v1/projects/\(lake.project)/discount-schemes", controller,
                                   Self.scheme("x1", percent: "1", stackingOrder: 1)).status == .notFound)
            #expect(try await call(client, .post, "/v1/projects/\(building)/discount-schemes", controller,
                                   Self.scheme("x1", percent: "1", stackingOrder: 1)).status == .notFound)
            #expect(try await call(client, .get, path, other).status == .notFound)
            #expect(try await call(client, .get, "/v1/discount-schemes/\(promoID)", other).status == .notFound)
            #expect(try await call(client, .patch, "/v1/discount-schemes/\(promoID)", other, ["name": "x"], ifMatch: "\"1\"").status == .notFound)
            #expect(try await call(client, .get, "/v1/discount-schemes/\(UUIDv7.make())", controller).status == .notFound)

            // The consultant reads schemes by stacking order, then code; `active` filters.
            let listed = try await call(client, .get, path, consultant)
            #expect(listed.status == .ok)
            #expect(listed.items.map { $0["code"] as? String } == ["spring-gift", "full-payment"])
            #expect(try await call(client, .get, "\(path)?active=true", consultant).items.count == 2)
            #expect(try await call(client, .get, "\(path)?active=false", consultant).items.isEmpty)
            #expect(try await call(client, .get, "\(path)?active=maybe", consultant).errorFields == ["active"])
            let read = try await call(client, .get, "/v1/discount-schemes/\(promoID)", consultant)
            #expect(read.etag == "\"1\"")
            #expect(read.string("code") == "spring-gift")

            // Changes need the version; null ends an open window; absent fields stay.
            let uri = "/v1/discount-schemes/\(promoID)"
            #expect(try await call(client, .patch, uri, controller, ["active": false]).status == .preconditionRequired)
            #expect(try await call(client, .patch, uri, controller, ["active": false], ifMatch: "\"7\"").status == .preconditionFailed)
            #expect(try await call(client, .patch, uri, controller, ["validFrom": "soon"], ifMatch: "\"7\"").errorFields == ["validFrom"])
            #expect(try await call(client, .patch, uri, consultant, ["active": false], ifMatch: "\"1\"").status == .forbidden)
            let patched = try await call(client, .patch, uri, controller,
                                         ["active": false, "validUntil": NSNull(), "stackingOrder": 50, "roomIds": []], ifMatch: "\"1\"")
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.etag == "\"2\"")
            #expect(patched.body["active"] as? Bool == false)
            #expect(patched.body["validUntil"] == nil)
            #expect(patched.string("validFrom") != nil)
            #expect(patched.body["roomIds"] as? [String] == [])
            #expect((patched.body["buildingIds"] as? [String])?.compactMap(UUID.init(uuidString:)) == [building])
            #expect(patched.string("amount") == "5000.00")
            #expect(try await call(client, .get, "\(path)?active=false", consultant).items.map { $0["code"] as? String } == ["spring-gift"])
            #expect(try await call(client, .get, path, consultant).items.map { $0["code"] as? String } == ["full-payment", "spring-gift"])

            // The kind may change with its value; a value that does not fit the kind is a field error.
            #expect(try await call(client, .patch, uri, controller, ["kind": "percentage"], ifMatch: "\"2\"").errorFields == ["percent"])
            #expect(try await call(client, .patch, uri, controller, ["percent": "3"], ifMatch: "\"2\"").errorFields == ["percent"])
            #expect(try await call(client, .patch, uri, controller, ["validFrom": "2999-01-01T00:00:00Z", "validUntil": "2998-01-01T00:00:00Z"],
                                   ifMatch: "\"2\"").errorFields == ["validUntil"])
            #expect(try await call(client, .patch, uri, controller, ["roomIds": [lake.room.uuidString]], ifMatch: "\"2\"").errorFields == ["roomIds[0]"])
            #expect(try await call(client, .patch, uri, controller, ["paymentMethods": ["full", "nope"]], ifMatch: "\"2\"").errorFields == ["paymentMethods[1]"])
            let rekinded = try await call(client, .patch, uri, controller, ["kind": "percentage", "percent": "1.5", "name": "Spring 1.5 %"], ifMatch: "\"2\"")
            #expect(rekinded.status == .ok, "\(rekinded.text)")
            #expect(rekinded.string("percent") == "1.50")
            #expect(rekinded.string("amount") == nil)
            #expect(rekinded.etag == "\"3\"")
            // A change that changes nothing keeps the version.
            let same = try await call(client, .patch, uri, controller, ["name": "Spring 1.5 %", "active": false], ifMatch: "\"3\"")
            #expect(same.status == .ok)
            #expect(same.etag == "\"3\"")
        }
        let audited = try await world.database.unitOfWork { work in
            try await work.audit.entries(groupID: try await world.groupID(), filter: .init(objectType: "discount_scheme"), beforeSequence: nil, limit: 50)
        }
        #expect(audited.map(\.event.action).sorted() == ["discount_scheme.create", "discount_scheme.create",
                                                         "discount_scheme.update", "discount_scheme.update"])
        await world.database.close()
    }

    @Test func quotesStackInOrderCheckConditionsAndFlagTheFloor() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let groupID = try await world.groupID()
        let lake = try await Self.lakesideRoom(world)
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let cashier = try await signIn(client, "cashier")
            let other = try await signIn(client, "admin", group: "other")
            let tower1 = try await world.building(client, controller, project: riverside, code: "t1")
            let tower2 = try await world.building(client, controller, project: riverside, code: "t2")
            let rooms1 = try await world.rooms(client, controller, building: tower1, floors: 1...1, perFloor: 2)
            let rooms2 = try await world.rooms(client, controller, building: tower2, floors: 2...2, perFloor: 2)
            let r101 = try #require(rooms1["101"]), r102 = try #require(rooms1["102"])
            let r201 = try #require(rooms2["201"]), r202 = try #require(rooms2["202"])
            // Prices straight into the rooms (PriceRepository.apply's history insert does not parse yet; see the report).
            try await world.sql("""
                UPDATE rooms r SET unit_price = x.unit_price, list_price = x.list_price, floor_price = x.floor_price
                FROM (VALUES (\(r101), 10000::numeric, 1000000::numeric, 950000::numeric),
                             (\(r102), 20000::numeric, 2000000::numeric, NULL::numeric),
                             (\(r201), 5000::numeric, 500000::numeric, 480000::numeric)) AS x(id, unit_price, list_price, floor_price)
                WHERE r.group_id = \(groupID) AND r.id = x.id::uuid
                """)
            let path = "/v1/projects/\(riverside)/discount-schemes"
            func create(_ body: [String: Any]) async throws -> String {
                let reply = try await call(client, .post, path, controller, body)
                #expect(reply.status == .created, "\(reply.text)")
                let id: UUID = try reply.id()
                return id.uuidString
            }
            let full = try await create(Self.scheme("full", percent: "2", stackingOrder: 10, extra: ["paymentMethods": ["full"]]))
            let gift = try await create(Self.scheme("gift", kind: "fixed_amount", amount: "10000", stackingOrder: 20))
            let anyOne = try await create(Self.scheme("any", percent: "1", stackingOrder: 30))
            let future = try await create(Self.scheme("future", percent: "5", stackingOrder: 40,
                                                      extra: ["validFrom": Self.moment(86_400), "validUntil": Self.moment(86_400 * 7)]))
            let tower2Promo = try await create(Self.scheme("t2-promo", kind: "fixed_amount", amount: "20000", stackingOrder: 50, extra: [
                "buildingIds": [tower2.uuidString], "validFrom": Self.moment(-3600), "validUntil": Self.moment(86_400)]))
            let room102 = try await create(Self.scheme("r102", percent: "3", stackingOrder: 60, extra: ["roomIds": [r102.uuidString]]))
            let inactive = try await create(Self.scheme("off", percent: "1", stackingOrder: 70, extra: ["active": false]))
            let lakeScheme = try await world.database.unitOfWork { work in
                let stored = StoredDiscountScheme(groupID: groupID, projectID: lake.project, scheme: DiscountScheme(
                    id: UUIDv7.make(), code: "lake", name: "Lake", kind: .percentage(basisPoints: 100), stackingOrder: 1))
                try await work.discountSchemes.insert(stored)
                return stored.id.uuidString
            }
            func quote(_ token: String, _ room: UUID, _ method: String, _ ids: [String], at: String? = nil) async throws -> Reply {
                var body: [String: Any] = ["roomId": room.uuidString, "paymentMethod": method, "discountIds": ids]
                if let at { body["at"] = at }
                return try await call(client, .post, "/v1/quotes", token, body)
            }
            let auditBefore = try await world.database.unitOfWork { work in
                try await work.audit.entries(groupID: groupID, filter: .init(), beforeSequence: nil, limit: 500).count
            }

            // Stacking order decides, not the request's order: 2 % of the list price, then 10,000 off, then 1 % of the rest.
            let stacked = try await client.execute(uri: "/v1/quotes", method: .post, headers: headers(consultant), body: try jsonBody([
                "roomId": r101.uuidString, "paymentMethod": "full", "discountIds": [anyOne, gift, full]])) { response in
                try expectConforms(response, to: "POST", "/v1/quotes")
                #expect(response.status == .ok, "\(response.text)")
                return try response.jsonObject()
            }
            let steps = stacked["steps"] as? [[String: Any]] ?? []
            #expect(steps.map { $0["code"] as? String } == ["full", "gift", "any"])
            #expect(steps.map { $0["amountOff"] as? String } == ["20000.00", "10000.00", "9700.00"])
            #expect(steps.map { $0["priceAfter"] as? String } == ["980000.00", "970000.00", "960300.00"])
            #expect(steps.map { $0["percent"] as? String } == ["2.00", nil, "1.00"])
            #expect(steps[1]["amount"] as? String == "10000.00")
            #expect((steps[0]["schemeId"] as? String).flatMap(UUID.init(uuidString:)) == UUID(uuidString: full))
            #expect(stacked["listPrice"] as? String == "1000000.00")
            #expect(stacked["finalPrice"] as? String == "960300.00")
            #expect(stacked["totalDiscount"] as? String == "39700.00")
            #expect(stacked["floorPrice"] as? String == "950000.00")
            #expect(stacked["currency"] as? String == "CNY")
            #expect(stacked["breachesFloor"] as? Bool == false)
            #expect(stacked["approvalRequired"] as? Bool == false)
            let plain = try await quote(consultant, r101, "full", [])
            #expect(plain.string("finalPrice") == "1000000.00")
            #expect((plain.body["steps"] as? [Any])?.isEmpty == true)

            // Conditions: payment method, window, room set, active; every refusal at once, by index.
            let mortgage = try await quote(consultant, r101, "commercial_mortgage", [gift, full])
            #expect(mortgage.status == .unprocessableContent)
            #expect(mortgage.code == "discount-not-applicable")
            #expect(mortgage.errorFields == ["discountIds[1]"])
            #expect(try await quote(consultant, r101, "full", [future]).errorFields == ["discountIds[0]"])
            let later = try await quote(consultant, r101, "full", [future], at: Self.moment(86_400 * 2))
            #expect(later.status == .ok, "\(later.text)")
            #expect(later.string("finalPrice") == "950000.00")
            #expect(try await quote(consultant, r101, "full", [tower2Promo]).errorFields == ["discountIds[0]"])
            #expect(try await quote(consultant, r101, "full", [room102]).errorFields == ["discountIds[0]"])
            #expect(try await quote(consultant, r102, "full", [room102]).string("finalPrice") == "1940000.00")
            #expect(try await quote(consultant, r102, "full", [room102]).body["floorPrice"] == nil)
            #expect(try await quote(consultant, r101, "full", [inactive, future, full, full]).errorFields
                    == ["discountIds[0]", "discountIds[1]", "discountIds[3]"])

            // The floor: reaching it is fine, going below needs approval.
            let atFloor = try await quote(consultant, r201, "instalments", [tower2Promo])
            #expect(atFloor.string("finalPrice") == "480000.00")
            #expect(atFloor.body["breachesFloor"] as? Bool == false)
            let below = try await quote(consultant, r201, "instalments", [gift, tower2Promo])
            #expect(below.string("finalPrice") == "470000.00")
            #expect(below.body["breachesFloor"] as? Bool == true)
            #expect(below.body["approvalRequired"] as? Bool == true)

            // Malformed input is 400; references the project does not have 422 `unknown-reference`; an unpriced
            // room 422; another group's or an unreachable room 404; no prices.read 403.
            let unknown = try await quote(consultant, r101, "full", [UUIDv7.make().uuidString, lakeScheme, gift])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.code == "unknown-reference")
            #expect(unknown.errorFields == ["discountIds[0]", "discountIds[1]"])
            #expect(try await quote(consultant, r101, "cash", []).errorFields == ["paymentMethod"])
            #expect(try await quote(consultant, r101, " ", []).errorFields == ["paymentMethod"])
            #expect(try await quote(consultant, r101, "full", [], at: "yesterday").errorFields == ["at"])
            let unpriced = try await quote(consultant, r202, "full", [gift])
            #expect(unpriced.status == .unprocessableContent)
            #expect(unpriced.code == "room-not-priced")
            #expect(try await quote(consultant, lake.room, "full", []).status == .notFound)
            #expect(try await quote(other, r101, "full", []).status == .notFound)
            #expect(try await quote(cashier, r101, "full", []).status == .forbidden)

            // Quotes change nothing and leave no audit entries.
            let auditAfter = try await world.database.unitOfWork { work in
                try await work.audit.entries(groupID: groupID, filter: .init(), beforeSequence: nil, limit: 500).count
            }
            #expect(auditAfter == auditBefore)
            #expect(try await call(client, .get, "/v1/rooms/\(r101)", consultant).etag == "\"1\"")
        }
        await world.database.close()
    }
}
