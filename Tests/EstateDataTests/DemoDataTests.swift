import EstateData
import EstateTestSupport
import Foundation
import Testing

@Suite("Demo data")
struct DemoDataTests {
    @Test func seedingTwiceCreatesTheDemoGroupOnce() async throws {
        let database = try TestDatabase.database(url: try await TestDatabase.migrated())
        let first = try await database.seedDemo()
        let second = try await database.seedDemo()
        #expect(first.created)
        #expect(!second.created)
        #expect(first.groupCode == second.groupCode)
        await database.close()
    }
}
