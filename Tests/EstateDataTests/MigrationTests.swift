import EstateData
import EstateTestSupport
import Foundation
import Testing

@Suite("Migrations")
struct MigrationTests {
    func migrations(_ files: [(String, String)]) throws -> [Migration] {
        try files.map { try Migration(name: $0.0, sql: $0.1) }
    }

    @Test func bundledMigrationsApplyInOrderOnceWithChecksums() async throws {
        let database = try TestDatabase.database(url: try await TestDatabase.empty())
        let bundled = try Migration.bundled()
        #expect(!bundled.isEmpty)
        #expect(bundled.map(\.version) == bundled.map(\.version).sorted { Int($0)! < Int($1)! })
        let before = try await database.migrationStatus()
        #expect(before.applied.isEmpty)
        #expect(before.pending == bundled.map(\.name))
        #expect(!before.isCurrent)
        #expect(try await database.migrate() == bundled.map(\.name))
        let after = try await database.migrationStatus()
        #expect(after.isCurrent)
        #expect(after.applied == bundled.map(\.name))
        #expect(try await database.migrate() == [])
        let ready = await database.readiness()
        #expect(ready.isReady)
        await database.close()
    }

    @Test func editedAppliedMigrationIsAnError() async throws {
        let url = try await TestDatabase.empty()
        let original = try migrations([("0001_a.sql", "CREATE TABLE a (x int);"), ("0002_b.sql", "CREATE TABLE b (x int);")])
        let first = try TestDatabase.database(url: url, migrations: original)
        #expect(try await first.migrate().count == 2)
        await first.close()

        let edited = try migrations([("0001_a.sql", "CREATE TABLE a (x int, y int);"), ("0002_b.sql", "CREATE TABLE b (x int);"),
                                     ("0003_c.sql", "CREATE TABLE c (x int);")])
        let second = try TestDatabase.database(url: url, migrations: edited)
        let error = await #expect(throws: MigrationError.self) { try await second.migrate() }
        guard case .checksumMismatch(let name, _, _) = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            await second.close()
            return
        }
        #expect(name == "0001_a.sql")
        #expect(error?.description.contains("changed after it was applied") == true)
        // Nothing further was applied, and readiness says why.
        let status = try await second.migrationStatus()
        #expect(status.pending == ["0003_c.sql"])
        #expect(!(await second.readiness().isReady))
        await second.close()
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        let url = try await TestDatabase.empty()
        let broken = try migrations([("0001_ok.sql", "CREATE TABLE ok (x int);"),
                                     ("0002_bad.sql", "CREATE TABLE half (x int); INSERT INTO nowhere VALUES (1);")])
        let database = try TestDatabase.database(url: url, migrations: broken)
        let error = await #expect(throws: MigrationError.self) { try await database.migrate() }
        guard case .failed(let name, let message) = error else {
            Issue.record("expected failed, got \(String(describing: error))")
            await database.close()
            return
        }
        #expect(name == "0002_bad.sql")
        #expect(message.contains("nowhere"))
        let status = try await database.migrationStatus()
        #expect(status.applied == ["0001_ok.sql"])
        #expect(status.pending == ["0002_bad.sql"])
        await database.close()
        // The half-made table of the failed migration does not exist.
        let fixed = try TestDatabase.database(url: url, migrations: try migrations([
            ("0001_ok.sql", "CREATE TABLE ok (x int);"), ("0002_bad.sql", "CREATE TABLE half (x int);")]))
        #expect(try await fixed.migrate() == ["0002_bad.sql"])
        await fixed.close()
    }

    @Test func unknownAppliedMigrationIsReported() async throws {
        let url = try await TestDatabase.empty()
        let ahead = try TestDatabase.database(url: url, migrations: try migrations([("0001_a.sql", "SELECT 1;"), ("0002_b.sql", "SELECT 2;")]))
        _ = try await ahead.migrate()
        await ahead.close()
        let behind = try TestDatabase.database(url: url, migrations: try migrations([("0001_a.sql", "SELECT 1;")]))
        let status = try await behind.migrationStatus()
        #expect(status.problems == [.unknownApplied(version: "0002", name: "0002_b.sql")])
        await #expect(throws: MigrationError.self) { try await behind.migrate() }
        await behind.close()
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let url = try await TestDatabase.empty()
        let set = try migrations([("0001_a.sql", "CREATE TABLE a (x int);"), ("0002_b.sql", "CREATE TABLE b (x int);")])
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let database = try TestDatabase.database(url: url, migrations: set, maxConnections: 1)
                    let applied = try await database.migrate()
                    await database.close()
                    return applied
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(results.sorted() == ["0001_a.sql", "0002_b.sql"])
    }

    @Test func badFileNamesAreRefused() {
        #expect(throws: MigrationError.badFileName("create_things.sql")) { try Migration(name: "create_things.sql", sql: "") }
        #expect(throws: MigrationError.self) { try Migration(name: "0001_x.txt", sql: "") }
    }

    @Test func unreachableDatabaseIsNotReady() async throws {
        let database = try TestDatabase.database(url: "postgresql:///estate?host=/nonexistent-estate-socket")
        let readiness = await database.readiness()
        #expect(!readiness.reachable)
        #expect(!readiness.isReady)
        await #expect(throws: DataError.self) { try await database.migrate() }
        #expect(database.statistics.errors["unavailable", default: 0] >= 1)
        await database.close()
    }
}
