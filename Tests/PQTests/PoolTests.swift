import EstateTestSupport
import Foundation
import PQ
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test func exhaustionTimesOutInsteadOfHanging() async throws {
        try await withPool(maxConnections: 1, acquireTimeout: .milliseconds(300)) { pool in
            let held = try await pool.acquire()
            let started = ContinuousClock.now
            let error = await #expect(throws: PQPoolError.self) { _ = try await pool.acquire() }
            #expect(error == .acquireTimeout)
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            #expect(pool.statistics.timeouts == 1)
            #expect(pool.statistics.waiting == 0)
            await pool.release(held)
            // Free again: the next caller gets the same connection.
            #expect(try await scalar(pool, "SELECT 1 AS v", as: Int.self) == 1)
        }
    }

    @Test func waitersAreServedWhenConnectionsComeBack() async throws {
        try await withPool(maxConnections: 2, acquireTimeout: .seconds(10)) { pool in
            // 40 concurrent queries through 2 connections.
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 1...40 {
                    group.addTask { try await scalar(pool, "SELECT \(value) AS v, pg_sleep(0.005)", as: Int.self) }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == 820)
            let stats = pool.statistics
            #expect(stats.opened <= 2)
            #expect(stats.inUse == 0)
            #expect(stats.waiting == 0)
        }
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        try await withPool(maxConnections: 1, acquireTimeout: .seconds(30)) { pool in
            let held = try await pool.acquire()
            let waiter = Task { try await pool.acquire() }
            while pool.statistics.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(pool.statistics.waiting == 0)
            await pool.release(held)
        }
    }

    @Test func terminatedBackendIsReplaced() async throws {
        try await withPool(maxConnections: 1) { (pool: PQPool) async throws in
            let first = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
            // Kill it from another connection, as an operator or a failover would.
            let admin = PQPool(configuration: PQPoolConfiguration(url: try TestDatabase.adminURL, maxConnections: 1))
            let killed = try await scalar(admin, "SELECT pg_terminate_backend(\(first)) AS v", as: Bool.self)
            await admin.close()
            #expect(killed)
            try await Task.sleep(for: .milliseconds(50))
            // The next query runs on a new connection, without an error.
            let second = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
            #expect(second != first)
            #expect(pool.statistics.discarded == 1)
        }
    }

    @Test func brokenConnectionIsDiscardedNotReused() async throws {
        try await withPool(maxConnections: 1) { (pool: PQPool) async throws in
            // The backend terminates itself mid-query: the caller sees a connection error...
            let error = await #expect(throws: PQError.self) {
                try await pool.query("SELECT pg_terminate_backend(pg_backend_pid())")
            }
            #expect(error?.isConnectionLost == true)
            // ...and the pool does not hand that connection out again.
            #expect(try await scalar(pool, "SELECT 1 AS v", as: Int.self) == 1)
        }
    }

    @Test func idleConnectionsArePingedAfterTheConfiguredTime() async throws {
        try await withPool(maxConnections: 1, idleCheckAfter: .zero) { (pool: PQPool) async throws in
            let a = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
            let b = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
            #expect(a == b)
            #expect(pool.statistics.opened == 1)
        }
    }

    @Test func connectionsOlderThanTheirLifetimeAreReplaced() async throws {
        let url = try await TestDatabase.empty()
        // A lifetime long enough for two statements in a row on a busy test machine.
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1, maxLifetime: .seconds(2)))
        let first = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
        #expect(try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self) == first)
        try await Task.sleep(for: .milliseconds(2_200))
        let later = try await scalar(pool, "SELECT pg_backend_pid() AS v", as: Int32.self)
        #expect(later != first)
        #expect(pool.statistics.opened == 2)
        await pool.close()
    }

    @Test func closedPoolRefusesWork() async throws {
        let pool = try await makePool()
        #expect(try await scalar(pool, "SELECT 1 AS v", as: Int.self) == 1)
        await pool.close()
        await #expect(throws: PQPoolError.shutdown) { _ = try await pool.acquire() }
    }

    @Test func unreachableServerIsAConnectionError() async throws {
        let pool = PQPool(configuration: PQPoolConfiguration(url: "postgresql:///estate?host=/nonexistent-estate-socket", maxConnections: 1))
        let error = await #expect(throws: PQError.self) { _ = try await pool.query("SELECT 1") }
        #expect(error?.isConnectionLost == true)
        #expect(pool.statistics.inUse == 0)
        await pool.close()
    }
}

@Suite("Event loop")
struct EventLoopTests {
    @Test func largeValuesAreSentAndReadInFull() async throws {
        try await withPool(maxConnections: 2) { (pool: PQPool) async throws in
            // Larger than the socket buffers: the loop must wait for the socket to drain (EPOLLOUT).
            let big = String(repeating: "0123456789abcdef", count: 1 << 18)  // 4 MiB
            let echoed = try await scalar(pool, "SELECT \(big) AS v", as: String.self)
            #expect(echoed.count == big.count)
            #expect(echoed == big)
            let length = try await scalar(pool, "SELECT length(\(big)) AS v", as: Int.self)
            #expect(length == big.count)
        }
    }

    @Test func fullStatementCacheStartsAfresh() async throws {
        let url = try await TestDatabase.empty()
        let pool = PQPool(configuration: PQPoolConfiguration(
            url: url, maxConnections: 1, session: PQSessionSettings(statementCacheCapacity: 3)))
        for round in 0..<2 {
            for offset in 0..<10 {
                let value = try await scalar(pool, "SELECT \(offset) + \(unsafeRaw: String(offset)) AS v", as: Int.self)
                #expect(value == offset * 2, "round \(round)")
            }
        }
        let prepared = try await scalar(pool, "SELECT count(*) AS v FROM pg_prepared_statements", as: Int.self)
        #expect(prepared <= 3)
        await pool.close()
    }

    @Test func manyConcurrentStatementsOnFewLoops() async throws {
        let url = try await TestDatabase.empty()
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 8, eventLoops: 1))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var sum = 0
                    for step in 0..<50 { sum += try await scalar(pool, "SELECT \(task * 100 + step) AS v", as: Int.self) }
                    return sum
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<16).reduce(0) { acc, task in acc + (0..<50).reduce(0) { $0 + task * 100 + $1 } })
        await pool.close()
    }
}
