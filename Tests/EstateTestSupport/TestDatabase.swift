import EstateData
import Foundation
import Logging
import PQ

/// Databases for tests, on the server named by `ESTATE_TEST_DATABASE_URL` (`make test` starts a
/// throwaway cluster and sets it). Each caller gets a database of its own, copied in milliseconds
/// from a template that has every migration applied; the template is made once per migration set.
public enum TestDatabase {
    /// The server's URL for an administrative database (tests create databases through it).
    public static var adminURL: String {
        get throws {
            TestLogging.setUp()
            guard let url = ProcessInfo.processInfo.environment["ESTATE_TEST_DATABASE_URL"], !url.isEmpty else {
                throw SetupError("ESTATE_TEST_DATABASE_URL is not set; run the tests with `make test`")
            }
            return url
        }
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The same server URL with another database name.
    public static func url(_ base: String, database: String) -> String {
        guard let schemeEnd = base.range(of: "://") else { return "\(base) dbname=\(database)" }
        let afterScheme = base[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let rest = base[pathStart...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        return String(base[..<pathStart]) + "/" + database + String(rest[queryStart...])
    }

    /// A new, migrated database of its own; returns its URL.
    public static func migrated() async throws -> String {
        let template = try await Templates.shared.migratedTemplate()
        return try await create(template: template)
    }

    /// A new empty database (no migrations); returns its URL.
    public static func empty() async throws -> String {
        try await create(template: "template0")
    }

    private static func create(template: String) async throws -> String {
        // The creating process's id is in the name, so that a later run drops only what dead runs left.
        let name = "estate_t_\(ProcessInfo.processInfo.processIdentifier)_"
            + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        try await Templates.shared.admin().execute(SQL(unsafeRaw: "CREATE DATABASE \(name) TEMPLATE \(template)"))
        return url(try adminURL, database: String(name))
    }

    /// A `Database` for tests (small pool, short timeouts; tests that queue many concurrent requests
    /// on one lock wait longer for a connection, since the whole suite shares two cores).
    public static func database(url: String, migrations: [Migration]? = nil, maxConnections: Int = 4,
                                acquireTimeout: Duration = .seconds(5), statementTimeout: Duration = .seconds(30)) throws -> Database {
        TestLogging.setUp()
        return try Database(configuration: DatabaseConfiguration(url: url, maxConnections: maxConnections,
                                                          acquireTimeout: acquireTimeout, statementTimeout: statementTimeout),
                     migrations: migrations, logger: Logger(label: "estate.test"))
    }
}

/// Makes the migrated template once per process (and per migration set), and drops the
/// databases earlier test runs left behind.
actor Templates {
    static let shared = Templates()
    private var adminPool: PQPool?
    private var template: Task<String, any Error>?

    func admin() throws -> PQPool {
        if let adminPool { return adminPool }
        // Every suite starts by creating its database here, all at once: callers queue, so they may
        // wait far longer than an application would (a fresh cluster copies the template slowly).
        let pool = PQPool(configuration: PQPoolConfiguration(url: try TestDatabase.adminURL, maxConnections: 3,
                                                             acquireTimeout: .seconds(300)))
        adminPool = pool
        return pool
    }

    func migratedTemplate() async throws -> String {
        if let template { return try await template.value }
        let task = Task { try await makeTemplate() }
        template = task
        return try await task.value
    }

    /// Whether the process named in a test database's name (`estate_t_<pid>_<random>`) still runs.
    /// Names without a process id come from older runs and count as dead.
    private static func ownerIsAlive(_ database: String) -> Bool {
        let parts = database.dropFirst("estate_t_".count).split(separator: "_")
        guard parts.count == 2, let pid = Int32(parts[0]) else { return false }
        return pid == ProcessInfo.processInfo.processIdentifier || kill(pid, 0) == 0 || errno == EPERM
    }

    private func makeTemplate() async throws -> String {
        let admin = try admin()
        let migrations = try Migration.bundled()
        let fingerprint = migrations.map(\.checksum).joined().utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
            ($0 ^ UInt64($1)) &* 1_099_511_628_211
        }
        let name = "estate_tpl_" + String(fingerprint, radix: 16)
        // Leftovers of earlier runs: databases of test processes that are gone, and, when no other
        // test process is running on this server, templates of other migration sets. Another run's
        // live databases stay, so two test runs can share a cluster.
        let existing = try await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'estate\\_t\\_%' OR (datname LIKE 'estate\\_tpl\\_%' AND datname <> \(name))")
        let databases = try existing.map { row -> String in try row.decode("datname") }
        let testDatabases = databases.filter { $0.hasPrefix("estate_t_") }
        let live = testDatabases.filter(Self.ownerIsAlive)
        let stale = testDatabases.filter { !Self.ownerIsAlive($0) } + (live.isEmpty ? databases.filter { $0.hasPrefix("estate_tpl_") } : [])
        for database in stale {
            _ = try? await admin.execute(SQL(unsafeRaw: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
        }
        let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
        if !exists.isEmpty { return name }
        let building = name + "_build"
        _ = try await admin.execute(SQL(unsafeRaw: "DROP DATABASE IF EXISTS \(building) WITH (FORCE)"))
        _ = try await admin.execute(SQL(unsafeRaw: "CREATE DATABASE \(building) TEMPLATE template0"))
        let database = try TestDatabase.database(url: TestDatabase.url(try TestDatabase.adminURL, database: building),
                                                 maxConnections: 1)
        _ = try await database.migrate()
        await database.close()
        _ = try await admin.execute(SQL(unsafeRaw: "ALTER DATABASE \(building) RENAME TO \(name)"))
        return name
    }
}

/// Test runs log only errors (set `ESTATE_TEST_LOG_LEVEL=info` to see more), to standard error.
public enum TestLogging {
    private static let bootstrap: Void = {
        let level = ProcessInfo.processInfo.environment["ESTATE_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    /// Sets up logging once per process; call before creating loggers.
    public static func setUp() { bootstrap }
}
