import Foundation
import PQ
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    struct Boom: Error {}

    @Test func escapingRoundTrips() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE texts (id int8 PRIMARY KEY, value text)")
            let values: [String?] = [
                "plain", "", nil, "tab\there", "line\nbreak", "carriage\rreturn", "crlf\r\n", "back\\slash",
                "\\N", "\\.", "trailing\\", "\\", "\t\n\r\\", "unicode: 中文 🏠 é ß", "quote ' and \"",
                "NULL", "  spaced  ", String(repeating: "long\t\\ value ", count: 20_000),
            ]
            let copied = try await pool.withConnection { connection in
                try await connection.copyIn(table: "texts", columns: ["id", "value"],
                                            rows: values.enumerated().map { [String($0.offset), $0.element] })
            }
            #expect(copied == values.count)
            let rows = try await pool.query("SELECT value FROM texts ORDER BY id")
            let read = try rows.map { try $0.decode("value", as: String?.self) }
            #expect(read.count == values.count)
            for (expected, actual) in zip(values, read) {
                #expect(expected == actual, "\(String(describing: expected).prefix(40))")
            }
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM texts WHERE value IS NULL", as: Int.self) == 1)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM texts WHERE value = ''", as: Int.self) == 1)
        }
    }

    @Test func typedColumnsTakeTheirTextForm() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await pool.execute("""
                CREATE TABLE typed (id uuid PRIMARY KEY, amount numeric(14,2), flag boolean, tags text[], at timestamptz, doc jsonb)
                """)
            let id = UUID()
            let copied = try await pool.transaction { tx in
                try await tx.copyIn(table: "typed", columns: ["id", "amount", "flag", "tags", "at", "doc"], rows: [
                    [id.uuidString.lowercased(), "1234567.89", "t", "{a,\"b c\"}", "2026-01-02 03:04:05+00", "{\"seed\": true}"],
                ])
            }
            #expect(copied == 1)
            let row = try #require(try await pool.query("SELECT id, amount::text AS amount, flag, tags, doc->>'seed' AS seed FROM typed").firstRow)
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("amount", as: String.self) == "1234567.89")
            #expect(try row.decode("flag", as: Bool.self))
            #expect(try row.decode("tags", as: [String].self) == ["a", "b c"])
            #expect(try row.decode("seed", as: String.self) == "true")
        }
    }

    @Test func hundredThousandRows() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE big (id int8 PRIMARY KEY, code text NOT NULL, amount numeric(14,2) NOT NULL)")
            let count = 100_000
            let rows = (1...count).lazy.map { index -> [String?] in
                [String(index), "room-\(index)\twith tab", "\(index / 100).\(index % 100 < 10 ? "0" : "")\(index % 100)"]
            }
            let copied = try await pool.withConnection { connection in
                try await connection.copyIn(table: "big", columns: ["id", "code", "amount"], rows: rows)
            }
            #expect(copied == count)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM big", as: Int.self) == count)
            // Σ index/100 for 1...100000 = 100000 × 100001 / 2 / 100
            #expect(try await scalar(pool, "SELECT sum(amount)::text AS s FROM big", as: String.self) == "50000500.00")
            #expect(try await scalar(pool, "SELECT code FROM big WHERE id = 77777", as: String.self) == "room-77777\twith tab")
        }
    }

    @Test func refusedRowFailsTheWholeCopyAndTheConnectionStaysUsable() async throws {
        try await withPool(maxConnections: 1) { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE items (id int8 PRIMARY KEY, qty int4 NOT NULL CONSTRAINT items_qty_check CHECK (qty >= 0))")
            try await pool.withConnection { (connection: PQConnection) async throws in
                // A check violation deep in the data (several chunks in).
                let error = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"],
                                                rows: (1...50_000).lazy.map { [String($0), $0 == 30_000 ? "-1" : "1"] })
                }
                #expect(error?.sqlState == "23514")
                #expect(error?.constraint == "items_qty_check")
                #expect(error?.kind == .server)
                #expect(error?.statement?.hasPrefix("COPY \"items\"") == true)
                #expect(connection.isReusable)
                #expect(try await connection.query("SELECT count(*) AS n FROM items").firstRow?.decode("n", as: Int.self) == 0)

                // A duplicate key.
                let duplicate = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"], rows: [["1", "1"], ["1", "2"]])
                }
                #expect(duplicate?.isUniqueViolation == true)
                // A malformed value.
                let malformed = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"], rows: [["1", "many"]])
                }
                #expect(malformed?.sqlState == "22P02")
                // NULL into NOT NULL.
                let null = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"], rows: [["1", nil]])
                }
                #expect(null?.isNotNullViolation == true)
                // An unknown column and an unknown table fail at the start.
                let column = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "nope"], rows: [["1", "1"]])
                }
                #expect(column?.sqlState == "42703")
                let table = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "nothing", columns: ["id"], rows: [["1"]])
                }
                #expect(table?.sqlState == "42P01")
                // A row of the wrong width is refused before it is sent, and the COPY aborted.
                let width = await #expect(throws: PQError.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"], rows: [["1", "1"], ["2"]])
                }
                #expect(width?.kind == .client)
                // The writer's caller gives up half-way.
                await #expect(throws: Boom.self) {
                    try await connection.copyIn(table: "items", columns: ["id", "qty"]) { writer in
                        for index in 1...20_000 { try await writer.write([String(index), "1"]) }
                        throw Boom()
                    }
                }
                #expect(connection.isReusable)
                #expect(try await connection.query("SELECT count(*) AS n FROM items").firstRow?.decode("n", as: Int.self) == 0)
                // And it still loads.
                #expect(try await connection.copyIn(table: "items", columns: ["id", "qty"], rows: [["1", "1"], ["2", "2"]]) == 2)
            }
            #expect(pool.statistics.discarded == 0)
            #expect(try await scalar(pool, "SELECT sum(qty) AS s FROM items", as: Int.self) == 3)
        }
    }

    @Test func copyInARolledBackTransactionLeavesNothing() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE items (id int8 PRIMARY KEY, name text)")
            await #expect(throws: Boom.self) {
                try await pool.transaction { tx in
                    let copied = try await tx.copyIn(table: "items", columns: ["id", "name"],
                                                     rows: (1...10_000).lazy.map { [String($0), "n\($0)"] })
                    #expect(copied == 10_000)
                    // Visible inside the transaction...
                    #expect(try await tx.query("SELECT count(*) AS n FROM items").firstRow?.decode("n", as: Int.self) == 10_000)
                    throw Boom()
                }
            }
            // ...gone after the rollback.
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 0)
            // A refused COPY fails its transaction: the statements before it are rolled back too.
            await #expect(throws: PQError.self) {
                try await pool.transaction { tx in
                    try await tx.execute("INSERT INTO items VALUES (\(100_000), \("before"))")
                    _ = try await tx.copyIn(table: "items", columns: ["id", "name"], rows: [["1", "a"], ["1", "b"]])
                }
            }
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 0)
            // Committed, it stays, together with the statements around it.
            try await pool.transaction { tx in
                try await tx.execute("INSERT INTO items VALUES (\(0), \("first"))")
                _ = try await tx.copyIn(table: "items", columns: ["id", "name"], rows: [["1", "a"], ["2", "b"]])
                try await tx.execute("INSERT INTO items VALUES (\(3), \("last"))")
            }
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 4)
        }
    }

    @Test func namesAreQuotedNeverSpliced() async throws {
        try await withPool { (pool: PQPool) async throws in
            try await pool.execute(#"CREATE TABLE "odd ""table"" name" (id int8, "Mixed Case" text)"#)
            try await pool.execute("CREATE TABLE victim (id int8)")
            let copied = try await pool.withConnection { connection in
                try await connection.copyIn(table: "odd \"table\" name", columns: ["id", "Mixed Case"], rows: [["1", "x"]])
            }
            #expect(copied == 1)
            // An injection attempt is just a name that does not exist.
            let error = await #expect(throws: PQError.self) {
                try await pool.withConnection { (connection: PQConnection) async throws in
                    try await connection.copyIn(table: "victim (id) FROM STDIN; DROP TABLE victim; --", columns: ["id"], rows: [["1"]])
                }
            }
            #expect(error?.sqlState == "42P01")
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'victim'", as: Int.self) == 1)
            #expect(#"COPY "a""b" ("c") FROM STDIN"# == "COPY \(try SQL.quotedIdentifier("a\"b")) (\(try SQL.quotedIdentifier("c"))) FROM STDIN")
            #expect(throws: PQError.self) { try SQL.quotedIdentifier("") }
            #expect(throws: PQError.self) { try SQL.quotedIdentifier("nul\u{0}byte") }
            #expect(throws: PQError.self) { try SQL.quotedIdentifier(String(repeating: "x", count: 64)) }
            await #expect(throws: PQError.self) {
                try await pool.withConnection { (connection: PQConnection) async throws in
                    try await connection.copyIn(table: "victim", columns: [], rows: [[String?]]())
                }
            }
        }
    }

    @Test func concurrentCopiesOnSeveralConnections() async throws {
        try await withPool(maxConnections: 4) { (pool: PQPool) async throws in
            try await pool.execute("CREATE TABLE items (id int8 PRIMARY KEY, lane int4 NOT NULL)")
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        try await pool.transaction { tx in
                            try await tx.copyIn(table: "items", columns: ["id", "lane"],
                                                rows: (0..<25_000).lazy.map { [String(lane * 25_000 + $0), String(lane)] })
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 100_000)
            #expect(try await scalar(pool, "SELECT count(DISTINCT lane) AS n FROM items", as: Int.self) == 4)
            #expect(try await scalar(pool, "SELECT count(*) AS n FROM items", as: Int.self) == 100_000)
        }
    }
}
