import Logging
import PQ
import ServiceLifecycle
import Synchronization

/// How Estate reaches PostgreSQL.
public struct DatabaseConfiguration: Sendable {
    public var url: String
    public var maxConnections: Int
    public var acquireTimeout: Duration
    public var statementTimeout: Duration
    public var idleCheckAfter: Duration
    public var maxLifetime: Duration

    public init(url: String, maxConnections: Int = 10, acquireTimeout: Duration = .seconds(5),
                statementTimeout: Duration = .seconds(30), idleCheckAfter: Duration = .seconds(30),
                maxLifetime: Duration = .seconds(1800)) {
        self.url = url
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.idleCheckAfter = idleCheckAfter
        self.maxLifetime = maxLifetime
    }
}

/// Failures of the data layer that the HTTP layer must tell apart. No `PQ` type leaves `EstateData`.
public enum DataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database cannot be reached or has no free connection now; retry later (HTTP 503).
    case unavailable(String)
    /// A statement ran longer than `statement_timeout` (HTTP 503).
    case timedOut
    /// Text the database cannot hold (the NUL character) reached a statement (HTTP 422).
    case unstorableText
    /// Anything else; logged, never shown to clients (HTTP 500).
    case internalFailure(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "database unavailable: \(reason)"
        case .timedOut: "database statement timed out"
        case .unstorableText: "text the database cannot hold (NUL character)"
        case .internalFailure(let reason): "database failure: \(reason)"
        }
    }
}

/// Pool and error figures for `/metrics`.
public struct DatabaseStatistics: Sendable, Hashable {
    public var inUse: Int
    public var idle: Int
    public var waiting: Int
    public var maxConnections: Int
    public var opened: Int
    public var discarded: Int
    public var acquireTimeouts: Int
    /// Errors by kind: `unavailable`, `timeout`, `constraint`, `serialization`, `other`.
    public var errors: [String: Int]
}

/// Whether the database can serve: reachable, and its schema is what this build expects.
public struct Readiness: Sendable, Hashable {
    public var reachable: Bool
    public var migrations: MigrationStatus?
    public var failure: String?
    public var isReady: Bool { reachable && (migrations?.isCurrent ?? false) }
}

/// The data layer's entry point: owns the connection pool (a `Service`), migrations and health.
public final class Database: Service, Sendable {
    let pool: PQPool
    let logger: Logger
    let migrations: [Migration]
    private let errorCounts = Mutex<[String: Int]>([:])

    public init(configuration: DatabaseConfiguration, migrations: [Migration]? = nil, logger: Logger) throws {
        self.logger = logger
        self.migrations = try migrations ?? Migration.bundled()
        self.pool = PQPool(
            configuration: PQPoolConfiguration(
                url: configuration.url, maxConnections: configuration.maxConnections,
                acquireTimeout: configuration.acquireTimeout, idleCheckAfter: configuration.idleCheckAfter,
                maxLifetime: configuration.maxLifetime,
                session: PQSessionSettings(statementTimeout: configuration.statementTimeout)),
            logger: logger)
    }

    public func run() async throws {
        try await pool.run()
    }

    /// Closes the pool (for commands and tests that do not run it as a service).
    public func close() async {
        await pool.close()
    }

    /// Applies pending migrations; returns their names.
    public func migrate() async throws -> [String] {
        try await perform { try await Migrator(pool: pool, migrations: migrations, logger: logger).migrate() }
    }

    public func migrationStatus() async throws -> MigrationStatus {
        try await perform { try await Migrator(pool: pool, migrations: migrations, logger: logger).status() }
    }

    /// Reachability and migration state, for `/health/ready`.
    public func readiness() async -> Readiness {
        do {
            let status = try await migrationStatus()
            return Readiness(reachable: true, migrations: status, failure: nil)
        } catch let error as DataError {
            return Readiness(reachable: false, migrations: nil, failure: error.description)
        } catch {
            return Readiness(reachable: false, migrations: nil, failure: "\(error)")
        }
    }

    public var statistics: DatabaseStatistics {
        let pool = pool.statistics
        return DatabaseStatistics(inUse: pool.inUse, idle: pool.idle, waiting: pool.waiting,
                                  maxConnections: pool.maxConnections, opened: pool.opened,
                                  discarded: pool.discarded, acquireTimeouts: pool.timeouts,
                                  errors: errorCounts.withLock { $0 })
    }

    /// Runs a data-layer operation, mapping `PQ` failures to ``DataError`` and counting them.
    func perform<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as PQPoolError {
            count("unavailable")
            throw DataError.unavailable(error.description)
        } catch let error as PQError {
            if error.isConnectionLost {
                count("unavailable")
                throw DataError.unavailable(error.message)
            }
            if error.isQueryCanceled {
                count("timeout")
                throw DataError.timedOut
            }
            if error.isUnstorableText {
                count("other")
                throw DataError.unstorableText
            }
            count(error.sqlState?.hasPrefix("23") == true ? "constraint"
                  : error.isSerializationFailure ? "serialization" : "other")
            logger.error("database error", metadata: ["error": "\(error)"])
            throw DataError.internalFailure(error.message)
        }
    }

    private func count(_ kind: String) {
        errorCounts.withLock { $0[kind, default: 0] += 1 }
    }
}
