import Foundation
import EstateTestSupport
import PQ
import Testing

/// Restarts a PostgreSQL cluster of its own (started with scripts/pg.sh on another port and
/// folder), so that the other suites, which share the main test cluster, are not disturbed.
@Suite("Server restart", .serialized)
struct RestartTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/pg.sh").path

    @discardableResult
    func pg(_ command: String, environment: [String: String]) async throws -> String {
        let result = try await runProcess("/bin/bash", [Self.script, command], environment: environment)
        guard result.status == 0 else {
            throw PQError(kind: .client, message: "scripts/pg.sh \(command) exited \(result.status): \(result.output)")
        }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func poolHealsAfterServerRestart() async throws {
        let folder = "/tmp/estate-restart-test-\(getpid())"
        let environment = ["ESTATE_PG_DIR": folder, "ESTATE_PG_PORT": String(55_000 + Int(getpid()) % 5_000)]
        try await pg("start", environment: environment)
        let url = try await pg("url", environment: environment)
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 3, acquireTimeout: .seconds(5)))
        // Open three connections and leave them idle.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        #expect(pool.statistics.idle == 3)
        let before = try await scalar(pool, "SELECT pg_postmaster_start_time()::text AS v", as: String.self)

        try await pg("restart", environment: environment)

        // Every idle connection is dead now; the pool notices and replaces them without failing a caller.
        let after = try await scalar(pool, "SELECT pg_postmaster_start_time()::text AS v", as: String.self)
        #expect(after != before)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            // Slow enough that the six overlap, so every one of the three dead idle connections is taken.
            for value in 0..<6 { group.addTask { try await scalar(pool, "SELECT \(value) AS v FROM pg_sleep(0.1)", as: Int.self) } }
            return try await group.reduce(0, +)
        }
        #expect(total == 15)
        #expect(pool.statistics.discarded >= 3)
        await pool.close()
        try await pg("stop", environment: environment)
        try? FileManager.default.removeItem(atPath: folder)
    }
}
