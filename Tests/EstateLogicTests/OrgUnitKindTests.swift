import EstateLogic
import Foundation
import Testing

@Suite("Organisation unit kinds")
struct OrgUnitKindTests {
    /// The whole containment table, every pair spelled out.
    static let table: [(parent: OrgUnitKind, child: OrgUnitKind, allowed: Bool)] = [
        (.group, .group, false), (.group, .region, true), (.group, .cityCompany, true), (.group, .project, true),
        (.region, .group, false), (.region, .region, true), (.region, .cityCompany, true), (.region, .project, true),
        (.cityCompany, .group, false), (.cityCompany, .region, false),
        (.cityCompany, .cityCompany, false), (.cityCompany, .project, true),
        (.project, .group, false), (.project, .region, false), (.project, .cityCompany, false), (.project, .project, false),
    ]

    @Test(arguments: table)
    func containment(parent: OrgUnitKind, child: OrgUnitKind, allowed: Bool) {
        #expect(parent.canContain(child) == allowed)
    }

    @Test func tableCoversEveryPair() {
        #expect(Self.table.count == OrgUnitKind.allCases.count * OrgUnitKind.allCases.count)
        let pairs = Set(Self.table.map { "\($0.parent.rawValue)>\($0.child.rawValue)" })
        #expect(pairs.count == Self.table.count)
    }

    @Test func nothingContainsTheGroupAndProjectsAreLeaves() {
        for kind in OrgUnitKind.allCases {
            #expect(!kind.canContain(.group))
            #expect(!OrgUnitKind.project.canContain(kind))
        }
        #expect(OrgUnitKind.group.isRoot)
        #expect(OrgUnitKind.allCases.filter(\.isRoot) == [.group])
    }

    @Test func rawValuesAndCoding() throws {
        #expect(OrgUnitKind.allCases.map(\.rawValue) == ["group", "region", "city_company", "project"])
        let data = try JSONEncoder().encode([OrgUnitKind.cityCompany])
        #expect(String(decoding: data, as: UTF8.self) == #"["city_company"]"#)
        #expect(try JSONDecoder().decode([OrgUnitKind].self, from: Data(#"["project"]"#.utf8)) == [.project])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([OrgUnitKind].self, from: Data(#"["cityCompany"]"#.utf8))
        }
        #expect(OrgUnitKind(rawValue: "city_company") == .cityCompany)
        #expect(OrgUnitKind(rawValue: "City_Company") == nil)
    }
}
