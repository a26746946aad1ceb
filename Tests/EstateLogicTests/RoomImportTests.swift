import EstateLogic
import Foundation
import Testing

@Suite("Room import: parsing and planning")
struct RoomImportTests {
    static let building = UUID()
    static func record(_ extra: [String: String] = [:]) -> [String: String] {
        ["externalCode": "E1", "building": "t1", "number": "101", "floor": "1", "stack": "1"].merging(extra) { $1 }
    }

    @Test func parsesDefaultsAndExactAreas() throws {
        let (row, violations) = RoomImport.parse(Self.record(["builtAreaForecast": "89.5", "kind": "parking"]), position: 2)
        #expect(violations.isEmpty)
        let parsed = try #require(row)
        #expect(parsed.attributes.entrance == 1)
        #expect(parsed.attributes.pricingBasis == .unit)
        #expect(parsed.attributes.areas.builtForecast == Area(hundredths: 8950))
        #expect(parsed.given["kind"] == "parking")
    }

    @Test(arguments: [
        (["floor": "x"], "floor"), (["floor": "0"], "floor"), (["kind": "castle"], "kind"), (["builtAreaForecast": "1.234"], "builtAreaForecast"),
        (["sharedLand": "maybe"], "sharedLand"), (["externalCode": " "], "externalCode"), (["colour": "red"], "colour"),
        (["sharedLand": "true"], "sharedLand"), (["builtAreaForecast": "50", "internalAreaForecast": "60"], "internalAreaForecast"),
    ])
    func refusesBadFields(extra: [String: String], field: String) {
        let (row, violations) = RoomImport.parse(Self.record(extra), position: 7)
        #expect(row == nil)
        #expect(violations.map(\.field) == [field])
        #expect(violations.allSatisfy { $0.position == 7 })
    }

    @Test func reportsEveryMissingRequiredField() {
        let (_, violations) = RoomImport.parse([:], position: 3)
        #expect(Set(violations.map(\.field)) == ["externalCode", "building", "number", "floor", "stack"])
    }

    func row(_ extra: [String: String], at position: Int) throws -> RoomImportRow {
        try #require(RoomImport.parse(Self.record(extra), position: position).0)
    }

    @Test(arguments: [RoomStatus.reserved, .subscribed, .contracted, .handedOver, .leased])
    func aRoomHeldByADealKeepsWhatItsSaleWasPricedOn(status: RoomStatus) throws {
        let stored = Room(groupID: UUID(), id: UUID(), projectID: UUID(), buildingID: Self.building,
                          attributes: RoomAttributes(number: "101", floor: 1, stack: 1, layout: "3b2l",
                                                     areas: RoomAreas(builtForecast: Area(hundredths: 9000)), externalCode: "E1"),
                          status: status)
        func plan(_ extra: [String: String]) throws -> ([RoomImportAction], [String]) {
            let (planned, violations) = RoomImport.plan([try row(extra, at: 2)], existing: ["E1": stored], buildings: ["t1": Self.building],
                                                        numberOwners: [Self.building: ["101": stored.id]], newID: UUID.init)
            return (planned.map(\.action), violations.map(\.field))
        }
        #expect(try plan(["builtAreaForecast": "95", "kind": "office", "floor": "2"]).1 == ["floor", "kind", "builtAreaForecast"])
        #expect(try plan(["pricingBasis": "internal_area"]).1 == ["pricingBasis"])
        #expect(try plan(["builtAreaActual": "91.20", "internalAreaActual": "75", "view": "river", "layout": "3b1l"]).0 == [.update])
        #expect(try plan(["builtAreaForecast": "90.00"]).0 == [.unchanged])
        // Before a deal holds it, the same record is an update.
        var available = stored
        available.status = .available
        let (planned, violations) = RoomImport.plan([try row(["builtAreaForecast": "95"], at: 2)], existing: ["E1": available],
                                                    buildings: ["t1": Self.building], numberOwners: [:], newID: UUID.init)
        #expect(violations.isEmpty && planned.map(\.action) == [.update])
    }

    @Test func plansCreatesUpdatesAndUnchangedMergingOnlyGivenFields() throws {
        let stored = Room(groupID: UUID(), id: UUID(), projectID: UUID(), buildingID: Self.building,
                          attributes: RoomAttributes(number: "101", floor: 1, stack: 1, layout: "3b2l",
                                                     areas: RoomAreas(builtForecast: Area(hundredths: 9000)), externalCode: "E1"))
        let rows = [try row(["view": "river"], at: 2), try row(["externalCode": "E2", "number": "102", "stack": "2"], at: 3),
                    try row([:], at: 4).with(code: "E3", number: "103")]
        var made = 0
        let (planned, violations) = RoomImport.plan(rows, existing: ["E1": stored], buildings: ["t1": Self.building],
                                                    numberOwners: [Self.building: ["101": stored.id]], newID: { made += 1; return UUID() })
        #expect(violations.isEmpty)
        #expect(planned.map(\.action) == [.update, .create, .create])
        #expect(made == 2)
        #expect(planned[0].roomID == stored.id)
        #expect(planned[0].row.attributes.layout == "3b2l", "fields the record leaves out are kept")
        #expect(planned[0].row.attributes.areas.builtForecast == Area(hundredths: 9000))
        #expect(planned[0].row.attributes.view == "river")
        let again = RoomImport.plan([try row(["layout": "3b2l", "builtAreaForecast": "90"], at: 2)], existing: ["E1": stored],
                                    buildings: ["t1": Self.building], numberOwners: [:], newID: UUID.init)
        #expect(again.0.map(\.action) == [.unchanged])
    }

    @Test func refusesDuplicatesUnknownBuildingsMovesAndTakenNumbers() throws {
        let other = UUID()
        let stored = Room(groupID: UUID(), id: UUID(), projectID: UUID(), buildingID: other,
                          attributes: RoomAttributes(number: "9", floor: 1, stack: 1, externalCode: "E9"))
        let rows = [try row([:], at: 2), try row([:], at: 3),
                    try row(["externalCode": "E4", "building": "t7"], at: 4),
                    try row(["externalCode": "E9"], at: 5),
                    try row(["externalCode": "E5", "number": "201"], at: 6),
                    try row(["externalCode": "E6", "number": "101"], at: 7)]
        let (_, violations) = RoomImport.plan(rows, existing: ["E9": stored], buildings: ["t1": Self.building, "t2": other],
                                              numberOwners: [Self.building: ["201": UUID()]], newID: UUID.init)
        #expect(violations.map { "\($0.position):\($0.field)" } == ["3:externalCode", "4:building", "5:building", "6:number", "7:number"])
    }

    @Test func aReleasedRoomCannotMoveOntoSharedLand() throws {
        var stored = Room(groupID: UUID(), id: UUID(), projectID: UUID(), buildingID: Self.building,
                          attributes: RoomAttributes(number: "101", floor: -1, stack: 1, kind: .parking, pricingBasis: .unit, externalCode: "E1"))
        stored.status = .available
        let rows = [try row(["floor": "-1", "kind": "parking", "sharedLand": "true"], at: 2)]
        let (_, violations) = RoomImport.plan(rows, existing: ["E1": stored], buildings: ["t1": Self.building],
                                              numberOwners: [:], newID: UUID.init)
        #expect(violations.map(\.field) == ["sharedLand"])
    }

    @Test func recordRoundTripsThroughParse() throws {
        let attributes = RoomAttributes(number: "B1-007", entrance: 2, floor: -1, stack: 7, kind: .parking, orientation: "S",
                                        areas: RoomAreas(builtForecast: Area(hundredths: 1250)), pricingBasis: .unit,
                                        sharedLand: true, externalCode: "P7")
        let parsed = RoomImport.parse(RoomImport.record(of: attributes, buildingCode: "p1"), position: 1).0
        #expect(parsed?.attributes == attributes)
        #expect(parsed?.buildingCode == "p1")
    }
}

extension RoomImportRow {
    func with(code: String, number: String) -> RoomImportRow {
        var copy = self
        copy.attributes.externalCode = code
        copy.attributes.number = number
        copy.given["externalCode"] = code
        copy.given["number"] = number
        return copy
    }
}
