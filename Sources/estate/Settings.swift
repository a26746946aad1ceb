import EstateData
import EstateInterface
import EstateLogic
import Foundation
import Logging

/// Configuration from environment variables (each documented with its default in README.md).
struct Settings {
    var databaseURL: String?
    var http: HTTPConfiguration
    var database: (poolSize: Int, acquireTimeoutMs: Int, statementTimeoutMs: Int, idleCheckSeconds: Int, maxLifetimeSeconds: Int)
    var logLevel: Logger.Level
    var logFormat: String
    var migrateOnStart: Bool
    var sessionHours: Int
    var bcryptCost: Int

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        func integer(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw Invalid(description: "\(name)=\(text) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        let levelText = environment["ESTATE_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw Invalid(description: "ESTATE_LOG_LEVEL=\(levelText) is not one of trace, debug, info, notice, warning, error, critical")
        }
        let format = environment["ESTATE_LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "json"
        guard format == "json" || format == "text" else {
            throw Invalid(description: "ESTATE_LOG_FORMAT=\(format) is not json or text")
        }
        func flag(_ name: String, _ fallback: Bool) throws -> Bool {
            let text = environment[name]?.lowercased() ?? ""
            guard ["true", "false", "1", "0", ""].contains(text) else {
                throw Invalid(description: "\(name)=\(text) is not true or false")
            }
            return text.isEmpty ? fallback : text == "true" || text == "1"
        }
        let migrate = try flag("ESTATE_MIGRATE_ON_START", false)
        let relay = WebhookRelaySettings(
            enabled: try flag("ESTATE_WEBHOOK_RELAY", true),
            pollInterval: .milliseconds(try integer("ESTATE_WEBHOOK_POLL_MS", 1000, 10...60_000)),
            concurrency: try integer("ESTATE_WEBHOOK_CONCURRENCY", 8, 1...256),
            requestTimeout: .seconds(try integer("ESTATE_WEBHOOK_TIMEOUT_SECONDS", 10, 1...300)),
            lease: .seconds(try integer("ESTATE_WEBHOOK_LEASE_SECONDS", 60, 2...3600)),
            retry: WebhookRetryPolicy(
                maxAttempts: try integer("ESTATE_WEBHOOK_MAX_ATTEMPTS", 10, 1...50),
                baseDelay: .seconds(try integer("ESTATE_WEBHOOK_RETRY_BASE_SECONDS", 10, 1...86_400)),
                factor: try integer("ESTATE_WEBHOOK_RETRY_FACTOR", 3, 1...10),
                maxDelay: .seconds(try integer("ESTATE_WEBHOOK_RETRY_MAX_SECONDS", 21_600, 1...604_800))))
        guard relay.lease > relay.requestTimeout else {
            throw Invalid(description: "ESTATE_WEBHOOK_LEASE_SECONDS must be more than ESTATE_WEBHOOK_TIMEOUT_SECONDS "
                + "(a delivery still being sent would be sent again)")
        }
        return Settings(
            databaseURL: environment["ESTATE_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            http: HTTPConfiguration(
                host: environment["ESTATE_HTTP_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
                port: try integer("ESTATE_HTTP_PORT", 8080, 0...65535),
                maxBodyBytes: try integer("ESTATE_MAX_BODY_BYTES", 1 << 20, 1024...(1 << 30)),
                holdSweepInterval: .seconds(try integer("ESTATE_HOLD_SWEEP_SECONDS", 30, 1...86_400)),
                protectionSweepInterval: .seconds(try integer("ESTATE_PROTECTION_SWEEP_SECONDS", 300, 1...86_400)),
                reservationSweepInterval: .seconds(try integer("ESTATE_RESERVATION_SWEEP_SECONDS", 30, 1...86_400)),
                gridCacheEntries: try integer("ESTATE_GRID_CACHE_ENTRIES", 256, 0...100_000),
                webhookRelay: relay),
            database: (
                poolSize: try integer("ESTATE_DB_POOL_SIZE", 10, 1...500),
                acquireTimeoutMs: try integer("ESTATE_DB_ACQUIRE_TIMEOUT_MS", 5000, 1...600_000),
                statementTimeoutMs: try integer("ESTATE_DB_STATEMENT_TIMEOUT_MS", 30_000, 0...86_400_000),
                idleCheckSeconds: try integer("ESTATE_DB_IDLE_CHECK_SECONDS", 30, 0...86_400),
                maxLifetimeSeconds: try integer("ESTATE_DB_MAX_LIFETIME_SECONDS", 1800, 1...604_800)),
            logLevel: level,
            logFormat: format,
            migrateOnStart: migrate,
            sessionHours: try integer("ESTATE_SESSION_HOURS", 8, 1...720),
            bcryptCost: try integer("ESTATE_BCRYPT_COST", 12, 4...16))
    }

    func databaseConfiguration() throws -> DatabaseConfiguration {
        guard let databaseURL else {
            throw Invalid(description: "ESTATE_DATABASE_URL is not set (e.g. postgresql://user@localhost:5432/estate)")
        }
        return DatabaseConfiguration(
            url: databaseURL, maxConnections: database.poolSize,
            acquireTimeout: .milliseconds(database.acquireTimeoutMs),
            statementTimeout: .milliseconds(database.statementTimeoutMs),
            idleCheckAfter: .seconds(database.idleCheckSeconds),
            maxLifetime: .seconds(database.maxLifetimeSeconds))
    }

    var passwordHasher: PasswordHasher { PasswordHasher(cost: UInt8(bcryptCost)) }

    var authentication: AuthenticationSettings {
        AuthenticationSettings(sessionLifetime: .seconds(sessionHours * 3600), hasher: passwordHasher)
    }

    /// Sets up swift-log once for the process: JSON lines (default) or plain text, to standard output.
    func bootstrapLogging() {
        let level = logLevel
        if logFormat == "json" {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
