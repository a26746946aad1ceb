import CLibPQ
import Foundation
import NIOPosix
import Synchronization

/// Settings applied to every new connection.
public struct PQSessionSettings: Sendable, Hashable {
    /// `statement_timeout`; nil leaves the server default.
    public var statementTimeout: Duration?
    /// `application_name`, shown in `pg_stat_activity`.
    public var applicationName: String
    /// Seconds libpq waits for the server when connecting.
    public var connectTimeoutSeconds: Int
    /// Prepared statements kept per connection before the cache is cleared.
    public var statementCacheCapacity: Int

    public init(statementTimeout: Duration? = .seconds(30), applicationName: String = "estate",
                connectTimeoutSeconds: Int = 5, statementCacheCapacity: Int = 1024) {
        self.statementTimeout = statementTimeout
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.statementCacheCapacity = statementCacheCapacity
    }
}

/// Something that runs statements: a connection or a transaction on one.
public protocol PQQueryable: Sendable {
    /// Runs one statement and returns its rows.
    func query(_ sql: SQL) async throws -> PQRows
}

extension PQQueryable {
    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await query(sql).affectedRows
    }
}

/// One libpq connection.
///
/// libpq calls block, so every call runs on the ``PQPool``'s dedicated thread
/// pool, never on Swift's cooperative threads. The `PGconn` handle is owned by a
/// `Mutex`, so calls on one connection are serialised even if misused from
/// several tasks. Prepared statements are cached per connection: each distinct
/// statement text is parsed once with `PQprepare`, then only executed.
public final class PQConnection: PQQueryable {
    struct StatementKey: Hashable {
        let text: String
        let types: [UInt32]
    }

    struct State: ~Copyable {
        var handle: OpaquePointer?
        var statements: [StatementKey: String] = [:]
        var nextStatement = 0

        init(handle: OpaquePointer?) { self.handle = handle }
        deinit { if let handle { PQfinish(handle) } }
    }

    private let state: Mutex<State>
    private let threadPool: NIOThreadPool
    private let settings: PQSessionSettings
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32
    /// When the connection was made.
    public let createdAt: ContinuousClock.Instant

    private init(handle: SendableHandle, threadPool: NIOThreadPool, settings: PQSessionSettings) {
        self.state = Mutex(State(handle: handle.pointer))
        self.threadPool = threadPool
        self.settings = settings
        self.backendPID = PQbackendPID(handle.pointer)
        self.createdAt = .now
    }

    /// Opens a connection with a libpq connection string or `postgresql://` URL.
    public static func connect(url: String, settings: PQSessionSettings = .init(),
                               threadPool: NIOThreadPool) async throws -> PQConnection {
        let handle = try await threadPool.runIfActive { () throws -> SendableHandle in
            let keywords = ["dbname", "connect_timeout", "application_name", "client_encoding"]
            let values = [url, String(settings.connectTimeoutSeconds), settings.applicationName, "UTF8"]
            let conn = withCStrings(keywords) { keys in
                withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
            }
            guard let conn else { throw PQError(kind: .connection, message: "out of memory") }
            guard PQstatus(conn) == CONNECTION_OK else {
                let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
                PQfinish(conn)
                throw PQError(kind: .connection, message: message)
            }
            // Notices (e.g. "there is no transaction in progress") are not errors; keep them off stderr.
            PQsetNoticeProcessor(conn, { _, _ in }, nil)
            var setup = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3;"
            if let timeout = settings.statementTimeout {
                let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
                setup += " SET statement_timeout = \(ms);"
            }
            let result = PQexec(conn, setup)
            defer { PQclear(result) }
            if PQresultStatus(result) != PGRES_COMMAND_OK {
                let error = makeError(result: result, conn: conn, statement: setup)
                PQfinish(conn)
                throw error
            }
            return SendableHandle(pointer: conn)
        }
        return PQConnection(handle: handle, threadPool: threadPool, settings: settings)
    }

    /// Runs one statement (prepared once per connection, then executed with bound parameters).
    public func query(_ sql: SQL) async throws -> PQRows {
        let text = sql.text
        let binds = sql.binds
        return try await threadPool.runIfActive {
            try self.state.withLock { state throws -> PQRows in
                try Self.run(text: text, binds: binds, state: &state, capacity: self.settings.statementCacheCapacity)
            }
        }
    }

    /// Runs a script of one or more statements without parameters (e.g. a migration), in the simple protocol.
    public func executeScript(_ script: String) async throws {
        try await threadPool.runIfActive {
            try self.state.withLock { state throws in
                guard let conn = state.handle else { throw PQError(kind: .client, message: "connection is closed") }
                let result = PQexec(conn, script)
                defer { PQclear(result) }
                let status = PQresultStatus(result)
                guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
                    throw Self.makeError(result: result, conn: conn, statement: String(script.prefix(200)))
                }
            }
        }
    }

    /// Whether the connection still looks usable without a round trip: libpq says OK, and the
    /// socket has nothing unread (a terminated or restarted server leaves an error message or EOF there).
    /// One `poll(2)` with a zero timeout.
    public func looksAlive() async -> Bool {
        (try? await threadPool.runIfActive {
            self.state.withLock { state -> Bool in
                guard let conn = state.handle, PQstatus(conn) == CONNECTION_OK else { return false }
                let socket = PQsocket(conn)
                guard socket >= 0 else { return false }
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                // An idle connection is never spoken to by the server unless it is going away
                // (a terminated backend, a restart): anything readable means discard it.
                return poll(&descriptor, 1, 0) == 0
            }
        }) ?? false
    }

    /// A round trip to the server (an empty statement).
    public func ping() async -> Bool {
        (try? await executeScript("")) != nil
    }

    /// Whether the connection can go back to a pool: open and not inside a transaction.
    public var isReusable: Bool {
        state.withLock { state in
            guard let conn = state.handle else { return false }
            return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
        }
    }

    /// Closes the connection; later calls fail.
    public func close() async {
        _ = try? await threadPool.runIfActive {
            self.state.withLock { state in
                if let conn = state.handle { PQfinish(conn) }
                state.handle = nil
                state.statements = [:]
            }
        }
        // If the thread pool is already gone, close here (PQfinish does not wait for the server).
        state.withLock { state in
            if let conn = state.handle { PQfinish(conn) }
            state.handle = nil
        }
    }

    /// Number of cached prepared statements (for tests and diagnostics).
    public var preparedStatementCount: Int { state.withLock { $0.statements.count } }

    // MARK: - libpq calls (on the thread pool, under the lock)

    private static func run(text: String, binds: [PQBind], state: inout State, capacity: Int) throws -> PQRows {
        guard let conn = state.handle else { throw PQError(kind: .client, message: "connection is closed") }
        let key = StatementKey(text: text, types: binds.map { $0.type.rawValue })
        let name: String
        if let cached = state.statements[key] {
            name = cached
        } else {
            if state.statements.count >= capacity {
                let result = PQexec(conn, "DEALLOCATE ALL")
                PQclear(result)
                state.statements.removeAll(keepingCapacity: true)
            }
            state.nextStatement += 1
            let newName = "pq_\(state.nextStatement)"
            let prepared = key.types.withUnsafeBufferPointer { types in
                PQprepare(conn, newName, text, Int32(binds.count), types.baseAddress)
            }
            defer { PQclear(prepared) }
            guard PQresultStatus(prepared) == PGRES_COMMAND_OK else {
                throw makeError(result: prepared, conn: conn, statement: text)
            }
            state.statements[key] = newName
            name = newName
        }
        let result = execute(conn: conn, name: name, binds: binds)
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return copyRows(result!)
        default:
            let error = makeError(result: result, conn: conn, statement: text)
            // A plan cached before a schema change; forget it so the next call prepares afresh.
            if error.sqlState == "0A000" || error.sqlState == "26000" { state.statements[key] = nil }
            throw error
        }
    }

    private static func execute(conn: OpaquePointer, name: String, binds: [PQBind]) -> OpaquePointer? {
        let values: [UnsafeMutablePointer<CChar>?] = binds.map { bind in bind.text.map { strdup($0) } ?? nil }
        defer { for value in values { free(value) } }
        return values.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { pointers in
                PQexecPrepared(conn, name, Int32(binds.count), pointers.baseAddress, nil, nil, 0)
            }
        }
    }

    private static func copyRows(_ result: OpaquePointer) -> PQRows {
        let fieldCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [PQColumn] = []
        columns.reserveCapacity(fieldCount)
        for field in 0..<fieldCount {
            columns.append(PQColumn(name: String(cString: PQfname(result, Int32(field))),
                                    type: PQType(rawValue: PQftype(result, Int32(field)))))
        }
        var bytes: [UInt8] = []
        var offsets: [Int32] = []
        var lengths: [Int32] = []
        offsets.reserveCapacity(fieldCount * rowCount)
        lengths.reserveCapacity(fieldCount * rowCount)
        for row in 0..<Int32(rowCount) {
            for field in 0..<Int32(fieldCount) {
                if PQgetisnull(result, row, field) == 1 {
                    offsets.append(0)
                    lengths.append(-1)
                } else {
                    let length = PQgetlength(result, row, field)
                    offsets.append(Int32(bytes.count))
                    lengths.append(length)
                    if let value = PQgetvalue(result, row, field) {
                        value.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { pointer in
                            bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: Int(length)))
                        }
                    }
                }
            }
        }
        let tuples = String(cString: PQcmdTuples(result))
        return PQRows(columns: columns, affectedRows: Int(tuples) ?? rowCount, bytes: bytes,
                      offsets: offsets, lengths: lengths, rowCount: rowCount)
    }

    static func makeError(result: OpaquePointer?, conn: OpaquePointer, statement: String?) -> PQError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let message = field("M")
            ?? String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
        let lost = PQstatus(conn) != CONNECTION_OK
        return PQError(kind: lost || (sqlState == nil && result == nil) ? .connection : .server,
                       sqlState: sqlState, message: message.isEmpty ? "unknown error" : message,
                       detail: field("D"), hint: field("H"), constraint: field("n"), table: field("t"),
                       column: field("c"), schema: field("s"), dataType: field("d"), statement: statement)
    }
}

/// A `PGconn` pointer in transit from the thread that opened it to its owning ``PQConnection``.
/// Safe because nothing else holds the pointer between `PQconnectdbParams` and `PQConnection.init`.
struct SendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
