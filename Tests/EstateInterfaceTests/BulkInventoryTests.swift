import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Inventory: building generation and room import")
struct BulkInventoryTests {
    @Test func generateABuildingWithDryRunAndFieldErrors() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let plan: [String: Any] = [
                "code": "t5", "name": "Tower 5", "lowestFloor": -1, "highestFloor": 32, "skippedFloors": [4, 13, 14], "entrances": 4,
                "roomsPerFloor": 4, "numbering": "{entrance}-{floor}{index:02}",
                "stacks": [["layout": "2b1l", "builtArea": "89.50", "internalArea": "70.10", "orientation": "N"],
                           ["layout": "3b2l", "builtArea": "118.25"], ["layout": "3b2l", "builtArea": "124.75"],
                           ["layout": "4b2l", "builtArea": "143.10", "orientation": "S", "view": "river"]],
            ]
            let dry = try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate?dryRun=true", controller, plan)
            #expect(dry.status == .ok, "\(dry.text)")
            #expect(dry.body["dryRun"] as? Bool == true)
            #expect(dry.body["roomCount"] as? Int == 30 * 4 * 4)   // floors −1, 1…32 without 4, 13, 14: 30 floors
            let numbers = Set((dry.body["rooms"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String })
            #expect(numbers.contains("2-1203") && numbers.contains("4-B104") && !numbers.contains("1-1301"))
            #expect(try await call(client, .get, "/v1/projects/\(riverside)/buildings", controller).items.isEmpty)

            let made = try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate", controller, plan)
            #expect(made.status == .created, "\(made.text)")
            let building = try #require((made.body["building"] as? [String: Any])?["id"] as? String)
            let grid = try await call(client, .get, "/v1/buildings/\(building)/grid", consultant)
            #expect((grid.body["floors"] as? [[String: Any]])?.count == 30)
            #expect(grid.body["entrances"] as? [Int] == [1, 2, 3, 4])
            #expect(try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate", controller, plan).code == "code-taken")
            #expect(try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate", consultant, plan).status == .forbidden)

            var bad = plan
            bad["code"] = "t6"
            bad["numbering"] = "{floor}{index:02}"          // four entrances share the numbers
            bad["stacks"] = [["builtArea": "0"], ["builtArea": "80"], ["builtArea": "80"], ["builtArea": "80"]]
            let refused = try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate", controller, bad)
            #expect(refused.status == .badRequest)
            #expect(Set(refused.errorFields).isSuperset(of: ["stacks[0].builtArea"]), "\(refused.text)")
            bad["stacks"] = plan["stacks"]
            let duplicates = try await call(client, .post, "/v1/projects/\(riverside)/buildings/generate", controller, bad)
            #expect(duplicates.errorFields == ["numbering"], "\(duplicates.text)")
            #expect(try await call(client, .get, "/v1/projects/\(riverside)/buildings", controller).items.count == 1)
        }
    }

    static let csv = """
        externalCode,building,number,entrance,floor,stack,kind,layout,orientation,builtAreaForecast,internalAreaForecast,sharedLand
        ERP-0101,t1,101,1,1,1,apartment,2b1l,N,89.50,70.00,
        ERP-0102,t1,102,1,1,2,apartment,"3b2l",S,118.25,95.10,false
        ERP-P001,p1,B1-001,1,-1,1,parking,,,,,true

        """

    @Test func importRoomsFromCSVAndJSONWithDryRunUpsertAndAllOrNothing() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            _ = try await world.building(client, controller, project: riverside, code: "t1")
            _ = try await world.building(client, controller, project: riverside, code: "p1")
            let uri = "/v1/projects/\(riverside)/room-imports"
            let csvType: HTTPFields = [.contentType: "text/csv"]

            let dry = try await call(client, .post, uri + "?dryRun=true", controller, Self.csv, extra: csvType)
            #expect(dry.status == .ok, "\(dry.text)")
            #expect(dry.body["created"] as? Int == 3)
            #expect(try await call(client, .get, "/v1/rooms?projectId=\(riverside)", controller).items.isEmpty)

            let applied = try await call(client, .post, uri, controller, Self.csv, extra: csvType)
            #expect(applied.body["created"] as? Int == 3)
            #expect((applied.items.isEmpty ? applied.body["rooms"] as? [[String: Any]] : nil)?.map { $0["position"] as? Int } == [2, 3, 4])
            let parking = try await call(client, .get, "/v1/rooms?projectId=\(riverside)&kind=parking", controller).items
            #expect(parking.first?["sharedLand"] as? Bool == true)
            #expect(parking.first?["pricingBasis"] as? String == "unit")

            // Again: unchanged; with one change: updated, by external code.
            #expect(try await call(client, .post, uri, controller, Self.csv, extra: csvType).body["unchanged"] as? Int == 3)
            let changed = Self.csv.replacingOccurrences(of: "ERP-0101,t1,101,1,1,1,apartment,2b1l,N,89.50", with: "ERP-0101,t1,101,1,1,1,apartment,2b1l,E,89.50")
            let update = try await call(client, .post, uri, controller, changed, extra: csvType)
            #expect(update.body["updated"] as? Int == 1)
            #expect(update.body["unchanged"] as? Int == 2)

            // A record gives only some fields: an update changes those and keeps the rest.
            let partial = try await call(client, .post, uri, controller,
                                         "externalCode,building,number,floor,stack,view\nERP-0102,t1,102,1,2,garden\n", extra: csvType)
            #expect(partial.body["updated"] as? Int == 1, "\(partial.text)")
            let kept = try await call(client, .get, "/v1/rooms?projectId=\(riverside)&orientation=S", controller).items
            #expect(kept.first?["view"] as? String == "garden")
            #expect(kept.first?["builtAreaForecast"] as? String == "118.25")
            #expect(kept.first?["layout"] as? String == "3b2l")

            // Header and shape problems are reported, each with its line.
            let header = try await call(client, .post, uri, controller, "externalCode,bogus,building,building\nX,1,t1,t1\n", extra: csvType)
            #expect((header.body["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" }
                        == ["1:bogus", "1:building"])
            let shape = try await call(client, .post, uri, controller, "externalCode,building\nA\nB,t1\nC,t1,x\n", extra: csvType)
            #expect((shape.body["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int } == [2, 4])
            #expect(try await call(client, .post, uri, controller, "x", extra: [.contentType: "application/yaml"]).status == .unsupportedMediaType)
            // XML is read as the JSON it maps to (XMLNegotiationTests); "x" is not XML.
            #expect(try await call(client, .post, uri, controller, "x", extra: [.contentType: "application/xml"]).status == .badRequest)

            // One bad row among good ones: nothing is written, every bad row is reported with its line and field.
            let bad = """
                externalCode,building,number,floor,stack,builtAreaForecast
                ERP-0201,t1,201,2,1,80.00
                ERP-0202,t9,202,2,2,80.00
                ERP-0203,t1,203,x,3,80.123
                ERP-0204,t1,101,2,4,80.00
                """
            let refused = try await call(client, .post, uri, controller, bad, extra: csvType)
            #expect(refused.status == .badRequest, "\(refused.text)")
            let errors = refused.body["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" } == ["4:floor", "4:builtAreaForecast"])
            let planErrors = try await call(client, .post, uri, controller,
                                            bad.replacingOccurrences(of: "ERP-0203,t1,203,x,3,80.123", with: "ERP-0203,t1,203,2,3,80.12"), extra: csvType)
            #expect((planErrors.body["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" }
                        == ["3:building", "5:number"])
            #expect(try await call(client, .get, "/v1/rooms?projectId=\(riverside)&floorMin=2&floorMax=2", controller).items.isEmpty)

            // JSON: the same fields; decimals as strings; errors as rooms[i].field.
            let json = try await call(client, .post, uri, controller, ["rooms": [
                ["externalCode": "ERP-0301", "building": "t1", "number": "301", "floor": 3, "stack": 1, "builtAreaForecast": "90.00"],
                ["externalCode": "ERP-0302", "building": "t1", "number": "302", "floor": 3, "stack": 2, "kind": "villa"],
            ]])
            #expect(json.body["created"] as? Int == 2, "\(json.text)")
            let jsonBad = try await call(client, .post, uri, controller, ["rooms": [
                ["externalCode": "ERP-0303", "building": "t1", "number": "303", "floor": 3, "stack": 3, "kind": "castle"],
            ]])
            #expect(jsonBad.errorFields == ["rooms[0].kind"])
            #expect(try await call(client, .post, uri, controller, ["rooms": [["floor": 3.5]]]).status == .badRequest)
            // Imports may exceed the general body limit (1 MiB) up to 16 MiB; the record count is checked.
            let many = Array(repeating: ["externalCode": "E", "building": "t1", "number": "1", "floor": 1, "stack": 1] as [String: Any],
                             count: RoomImport.maximumRows + 1)
            let tooMany = try await call(client, .post, uri + "?dryRun=true", controller, ["rooms": many])
            #expect(tooMany.errorFields == ["rooms"], "\(tooMany.status) \(tooMany.text.prefix(300))")
            #expect(try await call(client, .post, uri, controller, "a,b\n\"x", extra: csvType).status == .badRequest)
        }
    }
}
