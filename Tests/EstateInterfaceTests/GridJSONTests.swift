@testable import EstateInterface
import EstateData
import EstateLogic
import Foundation
import Testing

@Suite("Building grid JSON")
struct GridJSONTests {
    /// The hand-written grid document is exactly what JSONEncoder (sorted keys) makes of the same body.
    @Test func handWrittenJSONEqualsTheEncoders() throws {
        let building = Building(groupID: UUID(), id: UUID(), projectID: UUID(), code: "t\"1\\", name: "Tower\n1 / 东")
        var cells: [GridCell] = []
        for floor in [3, 2, 1, -1] {
            for entrance in 1...2 {
                for stack in 1...3 {
                    cells.append(GridCell(id: UUID(), number: "\(entrance)-\(floor)0\(stack)\u{1}", entrance: entrance, floor: floor,
                                          stack: stack, kind: stack == 3 ? .shop : .apartment, status: .available,
                                          layout: stack == 2 ? nil : "3b2l\t\"x\"",
                                          builtArea: stack == 1 ? nil : Area(hundredths: Int64(floor * 1000 + stack)),
                                          unitPrice: floor == 2 ? nil : Money(minorUnits: Int64(-floor * 7)),
                                          listPrice: Money(minorUnits: Int64(floor) * 123_456_789_012 + 5)))
                }
            }
        }
        let body = GridBody(building: building, cells: cells)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = try JSONSerialization.jsonObject(with: try encoder.encode(body)) as? NSDictionary
        let written = try JSONSerialization.jsonObject(with: Data(body.json())) as? NSDictionary
        #expect(written == expected)
        #expect(expected != nil)
    }
}
