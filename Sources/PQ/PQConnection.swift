import CLibPQ
import Foundation
import NIOConcurrencyHelpers
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
/// libpq is never called on Swift's cooperative threads: statements run on a ``PQEventLoop``
/// thread with libpq's non-blocking API, and the blocking calls (connect, close) on the pool's
/// thread pool. The `PGconn` handle is owned by a `Mutex`, so calls on one connection are
/// serialised even if it is misused from several tasks. Prepared statements are cached per
/// connection: each distinct statement text is parsed once with `PQprepare`, then only executed.
public final class PQConnection: PQQueryable {
    struct StatementKey: Hashable {
        let text: String
        let types: [UInt32]
    }

    struct State: ~Copyable {
        var handle: OpaquePointer?
        var statements: [StatementKey: String] = [:]
        var nextStatement = 0
        var capacity: Int
        var needsDeallocate = false

        init(handle: OpaquePointer?, capacity: Int) {
            self.handle = handle
            self.capacity = capacity
        }

        deinit { if let handle { PQfinish(handle) } }
    }

    /// The handle and statement cache; every access holds `lock`.
    private final class Guarded: @unchecked Sendable {
        // Safe: `value` is only read or written inside `withLock`, which holds `lock`.
        private let lock = NIOLock()
        private var value: State

        init(_ value: consuming State) { self.value = value }

        func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
            try lock.withLock { try body(&value) }
        }
    }

    private let state: Guarded
    private let executor: PQExecutor
    let loop: PQEventLoop
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32
    /// When the connection was made.
    public let createdAt: ContinuousClock.Instant
    /// Unique per connection made by this process (event loops key their epoll registrations on it).
    let serial: Int
    private static let serials = Atomic<Int>(0)

    private init(handle: SendableHandle, executor: PQExecutor, settings: PQSessionSettings) {
        self.state = Guarded(State(handle: handle.pointer, capacity: settings.statementCacheCapacity))
        self.executor = executor
        self.loop = executor.nextLoop()
        self.backendPID = PQbackendPID(handle.pointer)
        self.createdAt = .now
        self.serial = Self.serials.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Opens a connection with a libpq connection string or `postgresql://` URL.
    public static func connect(url: String, settings: PQSessionSettings = .init(),
                               executor: PQExecutor) async throws -> PQConnection {
        let handle = try await executor.threadPool.runIfActive { () throws -> SendableHandle in
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
            PQsetnonblocking(conn, 1)
            return SendableHandle(pointer: conn)
        }
        return PQConnection(handle: handle, executor: executor, settings: settings)
    }

    /// Runs one statement (prepared once per connection, then executed with bound parameters).
    public func query(_ sql: SQL) async throws -> PQRows {
        // libpq takes parameters as C strings: a NUL would silently end the value there.
        if let index = sql.binds.firstIndex(where: { $0.text.map(holdsNul) == true }) {
            throw PQError(kind: .server, sqlState: "22021",
                          message: "parameter $\(index + 1) contains the NUL character, which PostgreSQL text cannot hold",
                          statement: sql.text)
        }
        return try await loop.perform(.statement(text: sql.text, binds: sql.binds), on: self)
    }

    /// Runs a script of one or more statements without parameters (e.g. a migration), in the simple protocol.
    public func executeScript(_ script: String) async throws {
        _ = try await loop.perform(.script(script), on: self)
    }

    /// Whether the connection still looks usable without a round trip: libpq says OK, and the
    /// socket has nothing unread (a terminated or restarted server leaves an error message or EOF there).
    /// One `poll(2)` with a zero timeout; it does not block, so it runs on the caller's thread.
    public func looksAlive() -> Bool {
        state.withLock { state -> Bool in
            guard let conn = state.handle, PQstatus(conn) == CONNECTION_OK else { return false }
            let socket = PQsocket(conn)
            guard socket >= 0 else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            // An idle connection is never spoken to by the server unless it is going away
            // (a terminated backend, a restart): anything readable means discard it.
            return poll(&descriptor, 1, 0) == 0
        }
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
        let handle = state.withLock { state -> SendableHandle? in
            defer {
                state.handle = nil
                state.statements = [:]
            }
            return state.handle.map(SendableHandle.init)
        }
        guard let handle else { return }
        // PQfinish sends a goodbye to the server; on the blocking pool, or here if that is gone.
        if (try? await executor.threadPool.runIfActive { PQfinish(handle.pointer) }) == nil {
            PQfinish(handle.pointer)
        }
    }

    /// Number of cached prepared statements (for tests and diagnostics).
    public var preparedStatementCount: Int { state.withLock { $0.statements.count } }

    // MARK: - libpq helpers (called on a loop thread or the blocking pool)

    /// Runs `body` with the handle (nil once closed) and the statement cache, under the lock.
    func withHandle<R>(_ body: (OpaquePointer?, inout State) throws -> R) rethrows -> R {
        try state.withLock { state in try body(state.handle, &state) }
    }

    /// The connection's last error, as a ``PQError``.
    func currentError(statement: String?, lost: Bool = false) -> PQError {
        withHandle { conn, _ in
            guard let conn else { return PQError(kind: .client, message: "connection is closed", statement: statement) }
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            return PQError(kind: lost || PQstatus(conn) != CONNECTION_OK ? .connection : .client,
                           message: message.isEmpty ? "connection lost" : message, statement: statement)
        }
    }

    static func sendPrepared(_ conn: OpaquePointer, name: String, binds: [PQBind]) -> Bool {
        let values: [UnsafeMutablePointer<CChar>?] = binds.map { bind in bind.text.map { strdup($0) } ?? nil }
        defer { for value in values { free(value) } }
        return values.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { pointers in
                PQsendQueryPrepared(conn, name, Int32(binds.count), pointers.baseAddress, nil, nil, 0) == 1
            }
        }
    }

    static func copyRows(_ result: OpaquePointer) -> PQRows {
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
/// Whether `text` holds the NUL character (memchr over its UTF-8: binds may be megabytes of JSON).
func holdsNul(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
