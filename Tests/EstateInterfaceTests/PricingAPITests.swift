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

@Suite("Inventory: pricing runs and price lists")
struct PricingAPITests {
    static let areas = ["89.50", "118.25", "124.75", "143.10"]

    /// A 30-floor building of 4 rooms per floor (120 rooms) facing S, N, E, W, made by the generator.
    static func tower(_ client: some TestClientProtocol, _ token: String, project: UUID) async throws -> UUID {
        let generated = try await call(client, .post, "/v1/projects/\(project)/buildings/generate", token, [
            "code": "t8", "name": "Tower 8", "highestFloor": 30, "roomsPerFloor": 4, "numbering": "{floor}{index:02}",
            "stacks": zip(["S", "N", "E", "W"], areas).map { ["layout": "3b2l", "orientation": $0, "builtArea": $1] },
        ])
        #expect(generated.status == .created, "\(generated.text)")
        #expect(generated.body["roomCount"] as? Int == 120)
        guard let text = (generated.body["building"] as? [String: Any])?["id"] as? String, let id = UUID(uuidString: text) else {
            throw Harness.Failure("no building in \(generated.text)")
        }
        return id
    }

    static var factors: [String: Any] { [
        "floor": [["from": 1, "to": 5, "coefficient": "0.97"], ["from": 6, "to": 20, "coefficient": "1"],
                  ["from": 21, "to": 30, "coefficient": "1.045"]],
        "orientation": [["value": "S", "coefficient": "1.03"], ["value": "N", "coefficient": "0.98"], ["value": "W", "coefficient": "0.99"]],
    ] }

    /// Σ list prices / Σ areas of the building's rooms, in fen per m², exactly (half away from zero).
    static func realisedAverage(_ client: some TestClientProtocol, _ token: String, building: UUID) async throws -> Int64 {
        var totalFen: Int64 = 0, totalArea: Int64 = 0
        var cursor: String? = nil
        repeat {
            let page = try await call(client, .get, "/v1/rooms?buildingId=\(building)&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), token)
            for room in page.items {
                guard let price = Money(room["listPrice"] as? String ?? ""), let area = Area(room["builtAreaForecast"] as? String ?? "") else {
                    throw Harness.Failure("room without price or area: \(room)")
                }
                totalFen += price.minorUnits
                totalArea += area.hundredths
            }
            cursor = page.string("nextCursor")
        } while cursor != nil
        return Int64(FixedPoint.divideRounded(Int128(totalFen) * 100, Int128(totalArea)))
    }

    @Test func solvedTargetAveragePublishedWithVersionsHistoryAndAgreedPrices() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")
            let building = try await Self.tower(client, controller, project: riverside)
            let run: [String: Any] = ["projectId": riverside.uuidString, "buildingIds": [building.uuidString],
                                      "targetAverage": "32000.00", "priceStep": "10.00", "floorRatio": "0.97", "factors": Self.factors]

            // Preview: computed, nothing changed; the consultant may preview, another group may not see the project.
            let preview = try await call(client, .post, "/v1/pricing-runs", consultant, run)
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview.body["roomCount"] as? Int == 120)
            let average = try #require(Money(preview.string("averageUnitPrice") ?? ""))
            #expect(abs(average.minorUnits - 3_200_000) <= 500, "average \(average) vs target 32000.00 within half a step")
            #expect(preview.string("targetAverage") == "32000.00")
            let lines = try #require(preview.body["rooms"] as? [[String: Any]])
            #expect(lines.allSatisfy { line in (Money(line["unitPrice"] as? String ?? "")?.minorUnits ?? 1) % 1000 == 0 })
            #expect(try await call(client, .post, "/v1/pricing-runs", other, run).status == .notFound)
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)&limit=1", controller).items.first?["listPrice"] == nil)

            // Publish version 1: the realised average per m² is the target within half a price step.
            #expect(try await call(client, .post, "/v1/price-lists", consultant, ["name": "Launch", "run": run]).status == .forbidden)
            let first = try await call(client, .post, "/v1/price-lists", controller, ["name": "Launch", "run": run])
            #expect(first.status == .created, "\(first.text)")
            let firstList = try #require(first.body["priceList"] as? [String: Any])
            #expect(firstList["version"] as? Int == 1)
            let realised = try await Self.realisedAverage(client, controller, building: building)
            #expect(abs(realised - 3_200_000) <= 500, "realised average \(realised) fen/m²")
            let firstID = try #require(firstList["id"] as? String)

            // Version 2 with a fixed base; version 1 stays readable with its prices.
            var second = run
            second["targetAverage"] = nil
            second["base"] = "30000"
            let published = try await call(client, .post, "/v1/price-lists", controller, ["name": "Autumn", "run": second])
            #expect((published.body["priceList"] as? [String: Any])?["version"] as? Int == 2)
            #expect(try await call(client, .get, "/v1/projects/\(riverside)/price-lists", consultant).items.map { $0["version"] as? Int } == [2, 1])
            let old = try await call(client, .get, "/v1/price-lists/\(firstID)", consultant)
            #expect((old.body["rooms"] as? [[String: Any]])?.count == 120)
            let oldPrices = Dictionary(uniqueKeysWithValues: try #require(old.body["rooms"] as? [[String: Any]]).map {
                ($0["roomId"] as? String ?? "", $0["listPrice"] as? String ?? "")
            })
            let previewPrices = Dictionary(uniqueKeysWithValues: lines.map { ($0["roomId"] as? String ?? "", $0["listPrice"] as? String ?? "") })
            #expect(oldPrices == previewPrices, "the published version 1 is exactly what was previewed")
            #expect(try await call(client, .get, "/v1/price-lists/\(firstID)", other).status == .notFound)

            // A reserved room keeps its agreed price through the next publication and cannot be adjusted.
            let rooms = try await call(client, .get, "/v1/rooms?buildingId=\(building)&floorMin=12&floorMax=12", controller).items
            let reservedID = try #require(rooms.first?["id"] as? String)
            let reservedPrice = rooms.first?["listPrice"] as? String
            try await world.sql("UPDATE rooms SET status = 'reserved' WHERE id = \(UUID(uuidString: reservedID)!)")
            let third = try await call(client, .post, "/v1/price-lists", controller, ["name": "Winter", "run": run])
            #expect(((third.body["result"] as? [String: Any])?["keptRoomIds"] as? [String]) == [reservedID])
            #expect(try await call(client, .get, "/v1/rooms/\(reservedID)", controller).string("listPrice") == reservedPrice)
            let reserved = try await call(client, .get, "/v1/rooms/\(reservedID)", controller)
            let locked = try await call(client, .post, "/v1/rooms/\(reservedID)/price", controller,
                                        ["unitPrice": "1", "reason": "sale"], ifMatch: reserved.etag)
            #expect(locked.code == "price-agreed")
            #expect(locked.string("currentStatus") == "reserved")

            // Manual adjustment of one room: list = unit × area to the cent; history keeps every change.
            let adjustedID = try #require(rooms.last?["id"] as? String)
            let before = try await call(client, .get, "/v1/rooms/\(adjustedID)", controller)
            #expect(try await call(client, .post, "/v1/rooms/\(adjustedID)/price", controller,
                                   ["unitPrice": "35000.55", "reason": "corner"]).status == .preconditionRequired)
            let adjusted = try await call(client, .post, "/v1/rooms/\(adjustedID)/price", controller,
                                          ["unitPrice": "35000.55", "floorPrice": "1000000", "reason": "corner unit"], ifMatch: before.etag)
            #expect(adjusted.status == .ok, "\(adjusted.text) \(rooms.last ?? [:])")
            let area = try #require(Area(adjusted.string("builtAreaForecast") ?? ""))
            let expected = FixedPoint.divideRounded(Int128(3_500_055) * Int128(area.hundredths), 100)
            #expect(adjusted.string("listPrice") == Money(minorUnits: Int64(expected)).description)
            #expect(adjusted.body["priceListId"] == nil)
            #expect(try await call(client, .post, "/v1/rooms/\(adjustedID)/price", controller,
                                   ["unitPrice": "35000.55", "floorPrice": "99999999", "reason": "x"], ifMatch: adjusted.etag).errorFields == ["floorPrice"])
            let history = try await call(client, .get, "/v1/rooms/\(adjustedID)/price-history", consultant).items
            #expect(history.count == 4)
            #expect(history.last?["reason"] as? String == "corner unit")
            #expect(history.first?["priceListId"] as? String == firstID)
        }
    }

    @Test func runInputIsCheckedField() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let rooms = try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: 2)
            let bare = try await call(client, .post, "/v1/buildings/\(building)/rooms", controller, ["number": "X", "floor": 2, "stack": 1])
            let project = riverside.uuidString
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "base": "1", "targetTotal": "5"]).errorFields == ["base"])
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "base": "1", "factors": ["floor": [["from": 1, "coefficient": "1", "amount": "2"]]]])
                        .errorFields == ["factors.floor[0]"])
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "base": "1.234"]).status == .badRequest)
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "base": "1", "targetAvarage": "2"]).errorFields == ["targetAvarage"])
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "base": "1", "factors": ["floor": [["from": 1, "value": "S", "coefficient": "1"]]]])
                        .errorFields == ["factors.floor[0].value"])
            let unsized = try await call(client, .post, "/v1/pricing-runs", controller,
                                         ["projectId": project, "roomIds": [try bare.id().uuidString], "targetAverage": "100"])
            #expect(unsized.errorFields == ["rooms[\(try bare.id().uuidString.lowercased())].area"])
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": lakeside.uuidString, "base": "1"]).status == .notFound)
            #expect(try await call(client, .post, "/v1/pricing-runs", controller,
                                   ["projectId": project, "roomIds": [UUIDv7.make().uuidString], "base": "1"]).errorFields == ["roomIds[0]"])
            let negative = try await call(client, .post, "/v1/pricing-runs", controller,
                                          ["projectId": project, "roomIds": rooms.values.map(\.uuidString), "base": "100",
                                           "factors": ["stack": [["stack": 1, "amount": "-500"]]]])
            #expect(negative.status == .unprocessableContent, "\(negative.text)")
            #expect(negative.code == "pricing-impossible")
        }
    }
}
