import Logging
import ServiceLifecycle

/// What a background sweep service does: one round over the database, and how it is named and logged.
public protocol DatabaseSweep: Sendable {
    /// The sweep's name in log lines (`<name> sweep failed`).
    static var name: String { get }
    /// How often it runs when not configured.
    static var defaultInterval: Duration { get }
    /// The log message of a round that changed something, and the metadata key of how many.
    static var done: (message: String, key: String) { get }
    /// One round: everything due now, in batches; how many changed.
    static func sweep(_ database: Database) async throws -> Int
}

/// A background service that runs a ``DatabaseSweep`` every `interval` (``runPeriodically(every:logger:name:_:)``)
/// until the service group shuts down.
public struct SweepService<Sweep: DatabaseSweep>: Service {
    let database: Database
    let interval: Duration
    let logger: Logger

    public init(database: Database, interval: Duration = Sweep.defaultInterval, logger: Logger) {
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, name: Sweep.name) {
            let count = try await Sweep.sweep(database)
            if count > 0 { logger.info("\(Sweep.done.message)", metadata: [Sweep.done.key: "\(count)"]) }
        }
    }
}

/// The loop of a background sweep service: runs `sweep` every `interval` until the task is cancelled
/// or the service group shuts down gracefully (a sleep in progress ends at once). A failed round is
/// logged as `<name> sweep failed` and the next round tries again.
func runPeriodically(every interval: Duration, logger: Logger, name: String, _ sweep: () async throws -> Void) async {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
        do {
            try await sweep()
        } catch {
            logger.warning("\(name) sweep failed", metadata: ["error": "\(error)"])
        }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}
