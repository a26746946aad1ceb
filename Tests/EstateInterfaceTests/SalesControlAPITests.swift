import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

@Suite("Inventory: sales control, grid, search and summary")
struct SalesControlAPITests {
    @Test func releaseHoldWithdrawWithHistoryPermissionsAndIllegalTransitions() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let manager = try await signIn(client, "sales.manager")
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let rooms = try await world.rooms(client, controller, building: building, floors: 1...2, perFloor: 2)
            let room = try #require(rooms["101"])

            // Release: only with rooms.release; then the same event again is a 409 naming the current status.
            #expect(try await call(client, .post, "/v1/rooms/\(room)/release", consultant).status == .forbidden)
            #expect(try await call(client, .post, "/v1/rooms/\(room)/release", other).status == .notFound)
            let released = try await call(client, .post, "/v1/rooms/\(room)/release", controller, ["reason": "launch"])
            #expect(released.status == .ok, "\(released.text)")
            #expect(released.string("status") == "available")
            #expect(released.body["allowedEvents"] as? [String] == ["withdraw", "hold", "reserve", "subscribe", "lease"])
            let again = try await call(client, .post, "/v1/rooms/\(room)/release", controller)
            #expect(again.status == .conflict)
            #expect(again.code == "illegal-transition")
            #expect(again.string("currentStatus") == "available")

            // Hold: reason and a future expiry required; the sales manager may hold, the consultant not.
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let past = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            #expect(try await call(client, .post, "/v1/rooms/\(room)/hold", manager, ["reason": " ", "until": future]).errorFields == ["reason"])
            #expect(try await call(client, .post, "/v1/rooms/\(room)/hold", manager, ["reason": "VIP", "until": past]).errorFields == ["until"])
            #expect(try await call(client, .post, "/v1/rooms/\(room)/hold", consultant, ["reason": "VIP", "until": future]).status == .forbidden)
            let held = try await call(client, .post, "/v1/rooms/\(room)/hold", manager, ["reason": "kept for the chairman", "until": future])
            #expect(held.status == .ok, "\(held.text)")
            #expect(held.string("status") == "held")
            #expect((held.body["hold"] as? [String: Any])?["reason"] as? String == "kept for the chairman")
            #expect(try await call(client, .post, "/v1/rooms/\(room)/withdraw", controller).string("currentStatus") == "held")
            let lifted = try await call(client, .post, "/v1/rooms/\(room)/release-hold", manager)
            #expect(lifted.string("status") == "available")
            #expect(lifted.body["hold"] == nil)
            let withdrawn = try await call(client, .post, "/v1/rooms/\(room)/withdraw", controller, ["reason": "repairs"])
            #expect(withdrawn.string("status") == "not_released")

            // Every change is a history row, oldest first.
            let history = try await call(client, .get, "/v1/rooms/\(room)/status-history", consultant).items
            #expect(history.map { $0["event"] as? String } == ["release", "hold", "release_hold", "withdraw"])
            #expect(history.map { $0["to"] as? String } == ["available", "held", "available", "not_released"])
            #expect(history[1]["reason"] as? String == "kept for the chairman")
            #expect((history[0]["actor"] as? String)?.hasPrefix("user:") == true)

            // Bulk: all or nothing.
            let all = rooms.values.map(\.uuidString)
            let refused = try await call(client, .post, "/v1/sales-control/release-hold", controller, ["roomIds": all])
            #expect(refused.status == .conflict)
            let grid = try await call(client, .get, "/v1/rooms?buildingId=\(building)&status=available", controller)
            #expect(grid.items.isEmpty)
            let bulk = try await call(client, .post, "/v1/sales-control/release", controller, ["roomIds": all])
            #expect(bulk.status == .ok, "\(bulk.text)")
            #expect(bulk.items.allSatisfy { $0["status"] as? String == "available" })
            #expect(try await call(client, .post, "/v1/sales-control/release", controller, ["roomIds": all + [all[0]]]).errorFields == ["roomIds"])
            #expect(try await call(client, .post, "/v1/sales-control/release", consultant, ["roomIds": all]).status == .forbidden)
            #expect(try await call(client, .post, "/v1/sales-control/withdraw", other, ["roomIds": all]).status == .notFound)
        }
    }

    @Test func sharedLandParkingCannotBeReleased() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let garage = try await world.building(client, controller, project: riverside, code: "p1")
            let space = try await call(client, .post, "/v1/buildings/\(garage)/rooms", controller,
                                       ["number": "B1-001", "floor": -1, "stack": 1, "kind": "parking", "sharedLand": true])
            #expect(space.string("pricingBasis") == "unit")
            #expect(space.body["allowedEvents"] as? [String] == [])
            let refused = try await call(client, .post, "/v1/rooms/\(try space.id())/release", controller)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.code == "shared-land-parking")
            #expect(try await call(client, .get, "/v1/rooms/\(try space.id())", controller).string("status") == "not_released")
        }
    }

    @Test func expiredHoldsReturnToAvailableWithAHistoryRow() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let (room, other) = try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let rooms = try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: 2)
            _ = try await call(client, .post, "/v1/sales-control/release", controller, ["roomIds": rooms.values.map(\.uuidString)])
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(600))
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            #expect(try await call(client, .post, "/v1/rooms/\(rooms["101"]!)/hold", controller, ["reason": "a", "until": soon]).status == .ok)
            #expect(try await call(client, .post, "/v1/rooms/\(rooms["102"]!)/hold", controller, ["reason": "b", "until": later]).status == .ok)
            return (rooms["101"]!, rooms["102"]!)
        }
        #expect(try await world.database.expireHolds(now: Date()) == 0)
        #expect(try await world.database.expireHolds(now: Date().addingTimeInterval(3600)) == 1)
        #expect(try await world.database.expireHolds(now: Date().addingTimeInterval(3600)) == 0)
        let groupID = try await world.groupID()
        let (expired, kept, history) = try await world.database.unitOfWork { work in
            (try await work.rooms.find(groupID: groupID, id: room), try await work.rooms.find(groupID: groupID, id: other),
             try await work.rooms.statusHistory(groupID: groupID, roomID: room))
        }
        #expect(expired?.status == .available)
        #expect(expired?.holdReason == nil)
        #expect(kept?.status == .held)
        #expect(history.last?.event == .holdExpired)
        #expect(history.last?.actor == "system")
        #expect(history.last?.from == .held)
    }

    @Test func theHoldExpiryServiceSweepsOnItsOwn() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let room = try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let room = try #require(try await world.rooms(client, controller, building: building, floors: 1...1, perFloor: 1)["101"])
            _ = try await call(client, .post, "/v1/rooms/\(room)/release", controller)
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            #expect(try await call(client, .post, "/v1/rooms/\(room)/hold", controller, ["reason": "a", "until": soon]).status == .ok)
            return room
        }
        // The hold ended (moved into the past, as time would): the running service returns the room.
        try await world.sql("UPDATE rooms SET hold_until = now() - interval '1 second' WHERE id = \(room)")
        let service = HoldExpiryService(database: world.database, interval: .milliseconds(50), logger: Logger(label: "test"))
        let running = Task { try await service.run() }
        let groupID = try await world.groupID()
        var status: RoomStatus? = nil
        for _ in 0..<100 {
            status = try await world.database.unitOfWork { try await $0.rooms.find(groupID: groupID, id: room)?.status }
            if status == .available { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        running.cancel()
        try await running.value
        #expect(status == .available)
    }

    @Test func gridWithETagsSearchAndSummary() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let other = try await signIn(client, "admin", group: "other")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let rooms = try await world.rooms(client, controller, building: building, floors: 1...3, perFloor: 2)
            let second = try await call(client, .post, "/v1/buildings/\(building)/rooms", controller,
                                        ["number": "2-101", "entrance": 2, "floor": 1, "stack": 1, "kind": "shop", "builtAreaForecast": "45.00"])
            #expect(second.status == .created)

            let grid = try await call(client, .get, "/v1/buildings/\(building)/grid", consultant)
            #expect(grid.status == .ok, "\(grid.text)")
            let etag = try #require(grid.etag)
            #expect(grid.body["entrances"] as? [Int] == [1, 2])
            let floors = try #require(grid.body["floors"] as? [[String: Any]])
            #expect(floors.map { $0["floor"] as? Int } == [3, 2, 1])
            let ground = try #require(floors.last?["entrances"] as? [[String: Any]])
            #expect(ground.map { $0["entrance"] as? Int } == [1, 2])
            let firstRooms = try #require(ground.first?["rooms"] as? [[String: Any]])
            #expect(firstRooms.map { $0["number"] as? String } == ["101", "102"])
            #expect(firstRooms.first?["builtArea"] as? String == "90.50")
            #expect(try await call(client, .get, "/v1/buildings/\(building)/grid", other).status == .notFound)

            // Polling with the ETag: 304 until a room changes.
            let unchanged = try await call(client, .get, "/v1/buildings/\(building)/grid", consultant, extra: [.ifNoneMatch: etag])
            #expect(unchanged.status == .notModified)
            #expect(unchanged.text.isEmpty)
            _ = try await call(client, .post, "/v1/rooms/\(rooms["301"]!)/release", controller)
            let changed = try await call(client, .get, "/v1/buildings/\(building)/grid", consultant, extra: [.ifNoneMatch: etag])
            #expect(changed.status == .ok)
            #expect(changed.etag != etag)
            let top = (changed.body["floors"] as? [[String: Any]])?.first?["entrances"] as? [[String: Any]]
            #expect(((top?.first?["rooms"] as? [[String: Any]])?.first?["status"] as? String) == "available", "a fresh grid, not the cached one")
            // Renaming the building changes the grid too.
            #expect(try await call(client, .patch, "/v1/buildings/\(building)", controller, ["name": "Renamed"], ifMatch: "\"1\"").status == .ok)
            let renamed = try await call(client, .get, "/v1/buildings/\(building)/grid", consultant, extra: [.ifNoneMatch: changed.etag ?? ""])
            #expect(renamed.status == .ok)
            #expect(renamed.string("name") == "Renamed")
            #expect(try await call(client, .get, "/v1/buildings/\(building)/grid", consultant, extra: [.ifNoneMatch: renamed.etag ?? ""]).status == .notModified)

            // Search: filters combine, pages follow the cursor, bad filters are 400 with the parameter.
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)&status=available", consultant).items.map { $0["number"] as? String } == ["301"])
            #expect(try await call(client, .get, "/v1/rooms?projectId=\(riverside)&kind=shop", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)&floorMin=2&floorMax=3&layout=3b2l", consultant).items.count == 2)
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)&areaMin=100&orientation=S", consultant).items.count == 3)
            var seen: [String] = []
            var next: String? = nil
            repeat {
                let page = try await call(client, .get, "/v1/rooms?buildingId=\(building)&limit=3" + (next.map { "&cursor=\($0)" } ?? ""), consultant)
                seen += page.items.compactMap { $0["id"] as? String }
                next = page.string("nextCursor")
            } while next != nil
            #expect(seen.count == 7 && Set(seen).count == 7)
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)", other).items.isEmpty)
            let bad = try await call(client, .get, "/v1/rooms?status=sold&floorMin=x&priceMax=1.234", consultant)
            #expect(bad.status == .badRequest)
            #expect(Set(bad.errorFields) == ["status", "floorMin", "priceMax"])

            // Summary: counts and areas by status, kind and building.
            let summary = try await call(client, .get, "/v1/projects/\(riverside)/inventory", consultant)
            #expect(summary.status == .ok, "\(summary.text)")
            let total = try #require(summary.body["total"] as? [String: Any])
            #expect(total["rooms"] as? Int == 7)
            #expect(total["builtArea"] as? String == "\(3 * (90.5 + 100.5) + 45)0")
            let byStatus = try #require(summary.body["byStatus"] as? [[String: Any]])
            #expect(byStatus.map { $0["status"] as? String } == ["not_released", "available"])
            let byKind = try #require(summary.body["byKind"] as? [[String: Any]])
            #expect(byKind.map { $0["kind"] as? String } == ["apartment", "shop"])
            #expect((summary.body["byBuilding"] as? [[String: Any]])?.count == 1)
            #expect(try await call(client, .get, "/v1/projects/\(riverside)/inventory", other).status == .notFound)
        }
    }
}
