import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Inventory: buildings and rooms")
struct InventoryTests {
    @Test func buildingsPhasesAndRoomsWithVersionsScopeAndAudit() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let city = try await world.unitID("shanghai")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")

            // Phases and buildings hang under projects only, within the caller's reach.
            let phase = try await call(client, .post, "/v1/projects/\(riverside)/phases", controller, ["code": "p1", "name": "Phase 1"])
            #expect(phase.status == .created, "\(phase.text)")
            let created = try await call(client, .post, "/v1/projects/\(riverside)/buildings", controller,
                                         ["code": "t1", "name": "Tower 1", "phaseId": try phase.id().uuidString])
            #expect(created.status == .created)
            #expect(created.etag == "\"1\"")
            let building = try created.id()
            #expect(try await call(client, .post, "/v1/projects/\(riverside)/buildings", controller, ["code": "t1", "name": "Again"]).code == "code-taken")
            #expect(try await call(client, .post, "/v1/projects/\(riverside)/buildings", controller, ["code": "bad code", "name": " "]).errorFields == ["code", "name"])
            #expect(try await call(client, .post, "/v1/projects/\(lakeside)/buildings", controller, ["code": "t9", "name": "X"]).status == .notFound)
            #expect(try await call(client, .post, "/v1/projects/\(city)/buildings", controller, ["code": "t9", "name": "X"]).status == .notFound)
            #expect(try await call(client, .post, "/v1/projects/\(riverside)/buildings", consultant, ["code": "t9", "name": "X"]).status == .forbidden)
            let foreign = try await call(client, .get, "/v1/buildings/\(building)", other)
            #expect(foreign.status == .notFound, "\(foreign.text)")
            #expect(try await call(client, .get, "/v1/projects/\(riverside)/buildings", consultant).items.count == 1)

            // Rooms: required fields, exact areas, field errors, unique numbers.
            let room = try await call(client, .post, "/v1/buildings/\(building)/rooms", controller, [
                "number": "1201", "floor": 12, "stack": 1, "layout": "3b2l", "orientation": "S", "view": "river",
                "builtAreaForecast": "120.55", "internalAreaForecast": "98.3"])
            #expect(room.status == .created, "\(room.text)")
            #expect(room.string("builtAreaForecast") == "120.55")
            #expect(room.string("internalAreaForecast") == "98.30")
            #expect(room.string("status") == "not_released")
            #expect(room.string("pricingBasis") == "built_area")
            let roomID = try room.id()
            #expect(try await call(client, .post, "/v1/buildings/\(building)/rooms", controller,
                                   ["number": "1201", "floor": 12, "stack": 2]).code == "code-taken")
            let bad = try await call(client, .post, "/v1/buildings/\(building)/rooms", controller, [
                "number": "0001", "floor": 0, "stack": 1, "builtAreaForecast": "80", "internalAreaForecast": "90"])
            #expect(bad.errorFields.sorted() == ["floor", "internalAreaForecast"])
            #expect(try await call(client, .post, "/v1/buildings/\(building)/rooms", controller,
                                   ["number": "x", "floor": 1, "stack": 1, "builtAreaForecast": 80.5]).status == .badRequest)
            #expect(try await call(client, .post, "/v1/buildings/\(building)/rooms", controller,
                                   ["floor": 1]).errorFields.sorted() == ["number", "stack"])
            #expect(try await call(client, .post, "/v1/buildings/\(building)/rooms", controller,
                                   ["number": "P1", "floor": -1, "stack": 1, "sharedLand": true]).errorFields == ["sharedLand"])

            // Updates need the current version.
            #expect(try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["view": "city"]).status == .preconditionRequired)
            #expect(try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["view": "city"], ifMatch: "\"7\"").status == .preconditionFailed)
            // Bad input is refused as such whatever version it names.
            #expect(try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["floor": 0, "externalCode": "a\u{1}b"],
                                   ifMatch: "\"7\"").errorFields.sorted() == ["externalCode", "floor"])
            // null is not "absent": the contract says which fields may be null, and the number may not.
            #expect(try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["number": NSNull()], ifMatch: "\"1\"").errorFields == ["number"])
            // PostgreSQL text cannot hold NUL: refused naming the field, or the parameter, never cut short.
            let nul = try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["view": "ok", "externalCode": "a\u{0}b"], ifMatch: "\"1\"")
            #expect(nul.status == .badRequest && nul.errorFields == ["externalCode"], "\(nul.text)")
            #expect(try await call(client, .get, "/v1/rooms?layout=a%00b", controller).status == .badRequest)
            // Text the checks let through but the database cannot hold: 422, never cut short.
            let nulName = try await call(client, .post, "/v1/projects/\(riverside)/buildings", controller, ["code": "nul", "name": "a\u{0}b"])
            #expect(nulName.status == .unprocessableContent && nulName.code == "unstorable-text", "\(nulName.text)")
            let patched = try await call(client, .patch, "/v1/rooms/\(roomID)", controller, ["view": "city", "builtAreaActual": "121.00"], ifMatch: "\"1\"")
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.etag == "\"2\"")
            #expect(patched.string("view") == "city")
            #expect(patched.string("builtAreaActual") == "121.00")
            #expect(try await call(client, .patch, "/v1/rooms/\(roomID)", consultant, ["view": "x"], ifMatch: "\"2\"").status == .forbidden)
            #expect(try await call(client, .get, "/v1/rooms/\(roomID)", other).status == .notFound)
            let renamed = try await call(client, .patch, "/v1/buildings/\(building)", controller, ["name": "Tower One"], ifMatch: "\"1\"")
            #expect(renamed.string("name") == "Tower One")

            // A building with rooms cannot be deleted; an unreleased room can.
            #expect(try await call(client, .delete, "/v1/buildings/\(building)", controller, ifMatch: "\"2\"").code == "building-not-empty")
            let spare = try await call(client, .post, "/v1/buildings/\(building)/rooms", controller, ["number": "9901", "floor": 99, "stack": 1])
            #expect(try await call(client, .delete, "/v1/rooms/\(try spare.id())", controller, ifMatch: "\"1\"").status == .noContent)
            #expect(try await call(client, .get, "/v1/rooms/\(try spare.id())", controller).status == .notFound)
        }
        let audited = try await world.database.unitOfWork { work in
            try await work.audit.entries(groupID: try await world.groupID(), filter: .init(objectType: "room"), beforeSequence: nil, limit: 50)
        }
        #expect(Set(audited.map(\.event.action)) == ["room.create", "room.update", "room.delete"])
    }
}

extension IdentityWorld {
    func groupID(_ code: String = DemoData.groupCode) async throws -> UUID {
        try await database.unitOfWork { work in try #require(try await work.groups.find(code: code)).id }
    }
}
