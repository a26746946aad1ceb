import Foundation
import PQ
import Testing

@Suite("Errors and transactions")
struct ErrorAndTransactionTests {
    func setUp(_ pool: PQPool) async throws {
        try await pool.execute("CREATE TABLE items (id int8 PRIMARY KEY, code text NOT NULL CONSTRAINT items_code_key UNIQUE, qty int4 CHECK (qty >= 0))")
    }

    @Test func serverErrorsCarrySQLState() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await setUp(pool)
            try await pool.execute("INSERT INTO items VALUES (\(1), \("A"), \(Int32(1)))")
            let unique = await #expect(throws: PQError.self) {
                try await pool.execute("INSERT INTO items VALUES (\(2), \("A"), \(Int32(1)))")
            }
            #expect(unique?.sqlState == "23505")
            #expect(unique?.isUniqueViolation == true)
            #expect(unique?.constraint == "items_code_key")
            #expect(unique?.table == "items")
            #expect(unique?.detail?.contains("(code)=(A)") == true)
            #expect(unique?.kind == .server)
            let check = await #expect(throws: PQError.self) {
                try await pool.execute("INSERT INTO items VALUES (\(3), \("B"), \(Int32(-1)))")
            }
            #expect(check?.isCheckViolation == true)
            let notNull = await #expect(throws: PQError.self) {
                let code: String? = nil
                try await pool.execute("INSERT INTO items VALUES (\(4), \(code), \(Int32(1)))")
            }
            #expect(notNull?.isNotNullViolation == true)
            #expect(notNull?.column == "code")
            let syntax = await #expect(throws: PQError.self) { try await pool.execute("SELEC 1") }
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.statement == "SELEC 1")
            let division = await #expect(throws: PQError.self) { try await pool.query("SELECT 1 / \(0) AS v") }
            #expect(division?.sqlState == "22012")
            #expect(division?.isConnectionLost == false)
            // The connection is still fine after errors.
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 1)
        }
    }

    @Test func textWithNulIsRefusedNotCutShort() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await setUp(pool)
            // libpq would send "a" for "a\0b"; the bind is refused as the server refuses such text.
            let bound = await #expect(throws: PQError.self) {
                try await pool.execute("INSERT INTO items VALUES (\(1), \("a\u{0}b"), \(Int32(1)))")
            }
            #expect(bound?.sqlState == "22021")
            #expect(bound?.isUnstorableText == true)
            #expect(bound?.message.contains("$2") == true)
            // jsonb cannot hold the escape either: the server's own 22P05.
            let json = await #expect(throws: PQError.self) { try await pool.query("SELECT \("\"a\\u0000b\"")::jsonb AS v") }
            #expect(json?.isUnstorableText == true)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 0)
        }
    }

    @Test func statementTimeoutIsSetPerConnection() async throws {
        try await withPool(statementTimeout: .milliseconds(200)) { (pool: PQPool) async throws in
            #expect(try await scalar(pool, "SELECT current_setting('statement_timeout') AS v", as: String.self) == "200ms")
            #expect(try await scalar(pool, "SELECT current_setting('TimeZone') AS v", as: String.self) == "UTC")
            let error = await #expect(throws: PQError.self) { try await pool.query("SELECT pg_sleep(2)") }
            #expect(error?.isQueryCanceled == true)
        }
    }

    @Test func commitsOnReturnRollsBackOnThrow() async throws {
        struct Boom: Error {}
        try await withPool { (pool: PQPool) async throws in
            try await setUp(pool)
            let value = try await pool.transaction { tx in
                try await tx.execute("INSERT INTO items VALUES (\(1), \("kept"), \(Int32(1)))")
                return 7
            }
            #expect(value == 7)
            await #expect(throws: Boom.self) {
                try await pool.transaction { tx in
                    try await tx.execute("INSERT INTO items VALUES (\(2), \("lost"), \(Int32(1)))")
                    throw Boom()
                }
            }
            await #expect(throws: PQError.self) {
                try await pool.transaction { tx in
                    try await tx.execute("INSERT INTO items VALUES (\(3), \("lost too"), \(Int32(1)))")
                    try await tx.execute("INSERT INTO items VALUES (\(4), \("kept"), \(Int32(1)))")  // unique violation
                }
            }
            let codes = try await pool.query("SELECT code FROM items ORDER BY id").map { try $0.decode("code", as: String.self) }
            #expect(codes == ["kept"])
            // The connection went back to the pool outside any transaction.
            let status = try await pool.withConnection { connection in connection.isReusable }
            #expect(status)
        }
    }

    @Test func isolationLevelIsApplied() async throws {
        try await withPool { (pool: PQPool) async throws in
            for level in PQIsolation.allCases {
                let shown = try await pool.transaction(isolation: level) { tx in
                    try await tx.query("SELECT current_setting('transaction_isolation') AS v").firstRow!.decode("v", as: String.self)
                }
                #expect(shown == level.rawValue.lowercased())
            }
            await #expect(throws: PQError.self) {
                try await pool.transaction(readOnly: true) { tx in try await tx.execute("CREATE TABLE nope (x int)") }
            }
        }
    }

    /// Two serializable transactions that each read what the other writes: one must fail with 40001.
    @Test func serializationFailuresAreDetectedAndRetried() async throws {
        try await withPool(maxConnections: 4) { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)")
            try await pool.execute("INSERT INTO doctors VALUES ('alice', true), ('bob', true)")
            let barrier = Barrier(parties: 2)
            let attempts = Counter()
            // Each goes off call if someone else is still on call (write skew).
            func goOffCall(_ name: String, maxAttempts: Int) async throws {
                try await pool.transaction(isolation: .serializable, maxAttempts: maxAttempts) { tx in
                    let attempt = await attempts.next()
                    let onCall = try await tx.query("SELECT count(*) AS n FROM doctors WHERE on_call").firstRow!.decode("n", as: Int.self)
                    if attempt <= 2 { await barrier.arrive() }
                    if onCall >= 2 { try await tx.execute("UPDATE doctors SET on_call = false WHERE name = \(name)") }
                }
            }
            // Without retries, one of the two fails with a serialization failure.
            let outcomes = await withTaskGroup(of: (any Error)?.self) { group in
                for name in ["alice", "bob"] {
                    group.addTask {
                        do { try await goOffCall(name, maxAttempts: 1); return nil } catch { return error }
                    }
                }
                return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
            }
            let failures = outcomes.compactMap { $0 as? PQError }
            #expect(failures.count == 1)
            #expect(failures.first?.isSerializationFailure == true)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM doctors WHERE on_call", as: Int.self) == 1)

            // With retries, both complete: the retried one sees the other's commit and stays on call.
            try await pool.execute("UPDATE doctors SET on_call = true")
            await attempts.reset()
            let barrier2 = Barrier(parties: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in ["alice", "bob"] {
                    group.addTask {
                        try await pool.transaction(isolation: .serializable, maxAttempts: 5) { tx in
                            let attempt = await attempts.next()
                            let onCall = try await tx.query("SELECT count(*) AS n FROM doctors WHERE on_call").firstRow!.decode("n", as: Int.self)
                            if attempt <= 2 { await barrier2.arrive() }
                            if onCall >= 2 { try await tx.execute("UPDATE doctors SET on_call = false WHERE name = \(name)") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await attempts.value >= 3)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM doctors WHERE on_call", as: Int.self) == 1)
        }
    }

    @Test func preparedStatementsAreCachedPerConnection() async throws {
        try await withPool(maxConnections: 1) { (pool: PQPool) async throws in
            try await pool.withConnection { connection in
                let before = connection.preparedStatementCount
                for value in 0..<20 { _ = try await connection.query("SELECT \(value) + 1 AS v") }
                #expect(connection.preparedStatementCount == before + 1)
                _ = try await connection.query("SELECT \(1) + 2 AS v")
                #expect(connection.preparedStatementCount == before + 2)
                // The server parsed it once: one prepared statement per distinct text.
                let prepared = try await connection.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1 + 1%'")
                #expect(try prepared.firstRow!.decode("n", as: Int.self) == 1)
            }
        }
    }
}

actor Barrier {
    let parties: Int
    var arrived = 0
    var waiting: [CheckedContinuation<Void, Never>] = []
    init(parties: Int) { self.parties = parties }
    func arrive() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

actor Counter {
    var value = 0
    func next() -> Int { value += 1; return value }
    func reset() { value = 0 }
}
