import EstateLogic
import Foundation
import Testing

private func area(_ text: String) -> Area { Area(text)! }

private let fourStacks = [
    StackSpec(layout: "3b2l", orientation: "S", view: "river", builtArea: area("89.57"), internalArea: area("72.10")),
    StackSpec(layout: "2b1l", orientation: "N", builtArea: area("76.40"), internalArea: area("61.00")),
    StackSpec(layout: "4b2l", orientation: "S", builtArea: area("143.12")),
    StackSpec(kind: .office, orientation: "E", builtArea: area("120.35"), pricingBasis: .internalArea),
]

private func fields(_ plan: BuildingPlan) -> [String] { plan.violations().map(\.field) }

@Suite("Numbering patterns")
struct NumberingPatternTests {
    func number(_ pattern: String, entrance: Int = 2, floor: Int = 12, index: Int = 3) throws -> String {
        try NumberingPattern(pattern).number(entrance: entrance, floor: floor, index: index)
    }

    @Test func rendersTokens() throws {
        #expect(try number("{entrance}-{floor}{index:02}") == "2-1203")
        #expect(try number("{floor}{stack:02}") == "1203")
        #expect(try number("{floor:03}-{index}") == "012-3")
        #expect(try number("T{entrance:02}/{floor}/{index}") == "T02/12/3")
        #expect(try number("{floor}{index:02}", floor: 7, index: 11) == "711")
        #expect(try number("{index:02}", index: 123) == "123")  // a width is a minimum
        #expect(try number("Shop {index}") == "Shop 3")
        #expect(try number("P") == "P")
    }

    @Test func basementsRenderWithB() throws {
        #expect(try number("{floor}{index:02}", floor: -1) == "B103")
        #expect(try number("{floor}-{index:03}", floor: -2, index: 7) == "B2-007")
        #expect(try number("{floor:02}{index:02}", floor: -1) == "B0103")
    }

    @Test(arguments: [
        ("", "must not be empty"),
        ("{floor", "without a matching '}'"),
        ("floor}", "without a matching '{'"),
        ("{flo{or}", "inside the token"),
        ("{room}", "unknown token {room}"),
        ("{}", "unknown token {}"),
        ("{Floor}", "unknown token"),
        ("{floor:2}", "width"),
        ("{floor:00}", "width"),
        ("{floor:x2}", "width"),
        ("{floor:}", "width"),
        ("{floor:010}", "width"),
        ("{index}}", "without a matching '{'"),
    ])
    func refusesBadPatterns(pattern: String, message: String) {
        do {
            _ = try NumberingPattern(pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.violations.map(\.field) == ["numbering"])
            #expect(error.violations.first?.message.contains(message) == true, "\(error)")
        }
    }
}

@Suite("Building plans")
struct BuildingPlanTests {
    let tower = BuildingPlan(lowestFloor: 1, highestFloor: 30, entrances: 4, roomsPerFloor: 4,
                             numbering: "{entrance}-{floor}{index:02}", stacks: fourStacks)

    @Test func generatesEveryRoomOfA30By4By4Tower() throws {
        let rooms = try tower.rooms()
        #expect(rooms.count == 480)
        #expect(Set(rooms.map(\.number)).count == 480)
        #expect(rooms.first?.number == "1-101")
        #expect(rooms.last?.number == "4-3004")
        let room = try #require(rooms.first { $0.number == "2-1203" })
        #expect(room.entrance == 2 && room.floor == 12 && room.stack == 3)
        #expect(room.kind == .apartment && room.layout == "4b2l" && room.orientation == "S" && room.view == nil)
        #expect(room.areas == RoomAreas(builtForecast: area("143.12")))
        #expect(room.pricingBasis == .builtArea)
        let office = try #require(rooms.first { $0.number == "3-3004" })
        #expect(office.kind == .office && office.pricingBasis == .internalArea && office.stack == 4)
        let first = rooms[0]
        #expect(first.areas == RoomAreas(builtForecast: area("89.57"), internalForecast: area("72.10")))
        #expect(first.view == "river" && first.layout == "3b2l")
        // Ordered by entrance, floor, position.
        #expect(rooms[0..<5].map(\.number) == ["1-101", "1-102", "1-103", "1-104", "1-201"])
        #expect(rooms[120].number == "2-101")
        #expect(rooms.allSatisfy { $0.violations().isEmpty })
        #expect(tower.violations().isEmpty)
    }

    @Test func skipsFloors() throws {
        var plan = tower
        plan.skippedFloors = [4, 13, 14]
        plan.entrances = 1
        let rooms = try plan.rooms()
        #expect(rooms.count == 27 * 4)
        #expect(!rooms.contains { [4, 13, 14].contains($0.floor) })
        #expect(Set(rooms.map(\.floor)).count == 27)
        #expect(rooms.contains { $0.number == "1-1501" })
        #expect(!rooms.contains { $0.number == "1-1301" })
        #expect(plan.floors.prefix(5) == [1, 2, 3, 5, 6])
    }

    @Test func basementsAndNoFloorZero() throws {
        let garage = BuildingPlan(lowestFloor: -2, highestFloor: 2, roomsPerFloor: 2, numbering: "{floor}-{index:03}",
                                  stacks: [StackSpec(kind: .parking, builtArea: area("12.50"), pricingBasis: .unit),
                                           StackSpec(kind: .storage, pricingBasis: .unit)])
        #expect(garage.floors == [-2, -1, 1, 2])
        let rooms = try garage.rooms()
        #expect(rooms.map(\.number) == ["B2-001", "B2-002", "B1-001", "B1-002", "1-001", "1-002", "2-001", "2-002"])
        #expect(rooms.map(\.floor) == [-2, -2, -1, -1, 1, 1, 2, 2])
        #expect(rooms[0].kind == .parking && rooms[1].kind == .storage && rooms[1].pricingBasis == .unit)
    }

    @Test func detectsDuplicateNumbers() {
        var plan = tower
        plan.numbering = "{floor}{index:02}"
        let violations = plan.violations()
        #expect(violations.map(\.field) == ["numbering"])
        #expect(violations[0].message.contains("'101'"))
        #expect(violations[0].message.contains("entrance 1") && violations[0].message.contains("entrance 2"))
        #expect(throws: BuildingPlanError.invalid(violations)) { try plan.rooms() }

        // Without a position, the rooms of one floor clash.
        var noIndex = tower
        noIndex.numbering = "{entrance}-{floor}"
        #expect(noIndex.violations().first?.message.contains("'1-1'") == true)

        // Floor 1 position 11 and floor 11 position 1 are both 111 without padding.
        let wide = BuildingPlan(highestFloor: 11, roomsPerFloor: 11, numbering: "{floor}{index}",
                                stacks: Array(repeating: StackSpec(builtArea: area("50.00")), count: 11))
        #expect(wide.violations().first?.message.contains("'111'") == true)
        var padded = wide
        padded.numbering = "{floor}{index:02}"
        #expect(padded.violations().isEmpty)
    }

    @Test func detectsNumbersThatAreNotValidRoomNumbers() {
        var plan = tower
        plan.numbering = " {entrance}-{floor}{index:02}"
        #expect(fields(plan) == ["numbering"])
        plan.numbering = "Tower-of-the-north-side-entrance-{entrance}-{floor}-{index}"
        #expect(fields(plan) == ["numbering"])
        #expect(plan.violations()[0].message.contains("32"))
    }

    @Test func badPatternsAreRefused() {
        var plan = tower
        plan.numbering = "{entrance}-{level}{index}"
        #expect(fields(plan) == ["numbering"])
        plan.numbering = "{entrance-{floor}"
        #expect(fields(plan) == ["numbering"])
        #expect(throws: BuildingPlanError.self) { try plan.rooms() }
    }

    @Test func floorRangeRules() {
        func plan(_ low: Int, _ high: Int, skipped: Set<Int> = []) -> BuildingPlan {
            BuildingPlan(lowestFloor: low, highestFloor: high, skippedFloors: skipped, roomsPerFloor: 1, numbering: "{floor}",
                         stacks: [StackSpec()])
        }
        #expect(fields(plan(5, 3)) == ["highestFloor"])
        #expect(fields(plan(0, 3)) == ["lowestFloor"])
        #expect(fields(plan(-3, 0)) == ["highestFloor"])
        #expect(fields(plan(-10, 3)) == ["lowestFloor"])
        #expect(fields(plan(1, 201)) == ["highestFloor"])
        #expect(fields(plan(-9, 200)).isEmpty)
        #expect(fields(plan(3, 3)).isEmpty)
        #expect(fields(plan(3, 4, skipped: [3, 4])) == ["skippedFloors"])
        #expect(plan(3, 4, skipped: [3, 4]).violations()[0].message.contains("no floor"))
        #expect(fields(plan(1, 10, skipped: [11])) == ["skippedFloors"])
        #expect(fields(plan(1, 10, skipped: [0])) == ["skippedFloors"])
        #expect(plan(1, 10, skipped: [12, 11]).violations()[0].message.contains("11, 12"))
        #expect(fields(plan(-1, 1, skipped: [-1])).isEmpty)
    }

    @Test func countRules() {
        var plan = tower
        plan.entrances = 0
        #expect(fields(plan) == ["entrances"])
        plan.entrances = 100
        #expect(fields(plan) == ["entrances", "roomsPerFloor"])  // 100 × 30 × 4 = 12,000 rooms, too
        plan.entrances = 1
        plan.roomsPerFloor = 0
        plan.stacks = []
        #expect(fields(plan) == ["roomsPerFloor"])
        plan.roomsPerFloor = 100
        plan.stacks = Array(repeating: StackSpec(), count: 100)
        #expect(fields(plan) == ["roomsPerFloor"])  // out of range (the 3,000 rooms would be fine)
    }

    @Test func stacksMustMatchRoomsPerFloor() {
        var plan = tower
        plan.stacks.removeLast()
        #expect(fields(plan) == ["stacks"])
        plan.stacks = fourStacks + [StackSpec()]
        #expect(fields(plan) == ["stacks"])
        #expect(plan.violations()[0].message.contains("(4), not 5"))
    }

    @Test func stackAttributesAreCheckedWithTheirIndex() {
        var plan = tower
        plan.stacks[1] = StackSpec(layout: "", builtArea: area("50.00"), internalArea: area("60.00"))
        plan.stacks[3] = StackSpec(orientation: String(repeating: "x", count: 65), builtArea: .zero)
        #expect(fields(plan) == ["stacks[1].layout", "stacks[1].internalArea", "stacks[3].orientation", "stacks[3].builtArea"])
    }

    @Test func roomLimit() throws {
        let big = BuildingPlan(lowestFloor: -4, highestFloor: 100, entrances: 10, roomsPerFloor: 10, numbering: "{entrance}-{floor}{index:02}",
                               stacks: Array(repeating: StackSpec(builtArea: area("80.00")), count: 10))
        // 104 floors × 10 × 10 = 10,400
        #expect(fields(big) == ["roomsPerFloor"])
        #expect(big.violations()[0].message.contains("10400"))
        var justFits = big
        justFits.lowestFloor = 1
        #expect(try justFits.rooms().count == 10_000)
    }
}
