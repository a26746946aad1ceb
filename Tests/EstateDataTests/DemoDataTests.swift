import EstateData
import EstateTestSupport
import Foundation
import EstateLogic
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

@Suite("Unit of work")
struct UnitOfWorkTests {
    struct Refused: Error {}

    @Test func everythingCommitsTogetherOrNotAtAll() async throws {
        let database = try TestDatabase.database(url: try await TestDatabase.migrated())
        await #expect(throws: Refused.self) {
            try await database.unitOfWork { work in
                _ = try await work.groups.insertIfMissing(Group(id: UUIDv7.make(), code: "first", name: "First"))
                throw Refused()
            }
        }
        let found = try await database.unitOfWork { try await $0.groups.find(code: "first") }
        #expect(found == nil)
        let group = Group(id: UUIDv7.make(), code: "second", name: "Second")
        try await database.unitOfWork(.serializable) { (work: UnitOfWork) async throws in
            #expect(try await work.groups.insertIfMissing(group))
            #expect(try await !work.groups.insertIfMissing(Group(id: UUIDv7.make(), code: "second", name: "Again")))
        }
        #expect(try await database.unitOfWork { try await $0.groups.find(code: "second") } == group)
        await database.close()
    }

    @Test func constraintViolationsDoNotLeak() async throws {
        let database = try TestDatabase.database(url: try await TestDatabase.migrated())
        // The code format check refuses upper case: a data-layer failure, never a PQ type.
        let error = await #expect(throws: DataError.self) {
            try await database.unitOfWork { work in
                _ = try await work.groups.insertIfMissing(Group(id: UUIDv7.make(), code: "NOT VALID", name: "x"))
            }
        }
        if case .internalFailure = error {} else { Issue.record("expected internalFailure, got \(String(describing: error))") }
        #expect(database.statistics.errors["constraint"] == 1)
        await database.close()
    }
}
