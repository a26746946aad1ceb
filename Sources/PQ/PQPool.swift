import Logging
import Foundation
import ServiceLifecycle
import Synchronization

/// How a ``PQPool`` behaves.
public struct PQPoolConfiguration: Sendable {
    /// libpq connection string or `postgresql://` URL.
    public var url: String
    /// Most connections open at once; also the size of the libpq thread pool.
    public var maxConnections: Int
    /// How long `acquire` waits for a free connection before failing with ``PQPoolError/acquireTimeout``.
    public var acquireTimeout: Duration
    /// A connection idle longer than this is pinged before it is handed out.
    public var idleCheckAfter: Duration
    /// A connection older than this is closed when it comes back, and a new one made on demand.
    public var maxLifetime: Duration
    /// Idle connections beyond this age are closed by the maintenance loop.
    public var maxIdleTime: Duration
    /// Threads multiplexing the connections' statements (default: the number of cores, at most 2).
    public var eventLoops: Int
    /// Applied to every connection.
    public var session: PQSessionSettings

    public init(url: String, maxConnections: Int = 10, acquireTimeout: Duration = .seconds(5),
                idleCheckAfter: Duration = .seconds(30), maxLifetime: Duration = .seconds(30 * 60),
                maxIdleTime: Duration = .seconds(10 * 60), eventLoops: Int? = nil,
                session: PQSessionSettings = .init()) {
        self.url = url
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.idleCheckAfter = idleCheckAfter
        self.maxLifetime = maxLifetime
        self.maxIdleTime = maxIdleTime
        self.eventLoops = eventLoops ?? min(2, ProcessInfo.processInfo.activeProcessorCount)
        self.session = session
    }
}

/// A snapshot of the pool for metrics.
public struct PQPoolStatistics: Sendable, Hashable {
    public var inUse: Int
    public var idle: Int
    public var opening: Int
    public var waiting: Int
    public var maxConnections: Int
    /// Connections opened since start.
    public var opened: Int
    /// Connections closed because they were broken, expired or failed a check.
    public var discarded: Int
    /// Acquires that timed out.
    public var timeouts: Int
}

/// A pool of libpq connections; a swift-service-lifecycle `Service`.
///
/// - Hands out idle connections last-in first-out, after a zero-cost socket check (and a ping
///   when idle longer than ``PQPoolConfiguration/idleCheckAfter``); broken ones are replaced.
/// - Opens new ones up to ``PQPoolConfiguration/maxConnections``; beyond that callers wait in
///   order, at most ``PQPoolConfiguration/acquireTimeout``.
/// - Runs libpq off Swift's cooperative threads: statements on its event-loop threads, connect
///   and close on its own thread pool of `maxConnections` threads (see ``PQExecutor``).
/// - Heals after a server restart: dead connections are detected and replaced on the next acquire.
/// - `run()` prunes idle connections; on graceful shutdown it closes the pool.
public final class PQPool: Service, Sendable {
    public let configuration: PQPoolConfiguration
    let executor: PQExecutor
    let logger: Logger
    private let state: Mutex<State>

    struct Idle {
        let connection: PQConnection
        let since: ContinuousClock.Instant
    }

    enum Grant {
        case connection(Idle)
        case openSlot
    }

    struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
    }

    struct State {
        var idle: [Idle] = []
        var leased = 0
        var opening = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var closed = false
        var opened = 0
        var discarded = 0
        var timeouts = 0
    }

    public init(configuration: PQPoolConfiguration, logger: Logger = Logger(label: "estate.pq")) {
        self.configuration = configuration
        self.logger = logger
        self.executor = PQExecutor(blockingThreads: configuration.maxConnections, eventLoops: configuration.eventLoops)
        self.state = Mutex(State())
    }

    public var statistics: PQPoolStatistics {
        state.withLock { s in
            PQPoolStatistics(inUse: s.leased, idle: s.idle.count, opening: s.opening, waiting: s.waiters.count,
                             maxConnections: configuration.maxConnections, opened: s.opened,
                             discarded: s.discarded, timeouts: s.timeouts)
        }
    }

    // MARK: - Lending

    /// Runs `body` with a connection of its own, returned to the pool afterwards
    /// (discarded if it broke or was left inside a transaction).
    public func withConnection<T>(_ body: (PQConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement on a pooled connection (autocommit).
    public func query(_ sql: SQL) async throws -> PQRows {
        try await withConnection { try await $0.query(sql) }
    }

    /// Runs one statement on a pooled connection and returns the rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await withConnection { try await $0.execute(sql) }
    }

    /// Takes a connection; pair with ``release(_:)``. Prefer ``withConnection(_:)``.
    public func acquire() async throws -> PQConnection {
        let max = configuration.maxConnections
        var grant: Grant
        if let fast = try state.withLock({ s in try Self.tryGrant(&s, max: max) }) {
            grant = fast
        } else {
            grant = try await wait()
        }
        while true {
            if case .connection(let idle) = grant {
                if let usable = await check(idle) { return usable }
                grant = .openSlot
            }
            do {
                let connection = try await PQConnection.connect(url: configuration.url, settings: configuration.session,
                                                                executor: executor)
                state.withLock { s in
                    s.opening -= 1
                    s.leased += 1
                    s.opened += 1
                }
                return connection
            } catch {
                let handOn = state.withLock { s -> Waiter? in
                    s.opening -= 1
                    return Self.nextSlotWaiter(&s, max: configuration.maxConnections)
                }
                handOn?.continuation.resume(returning: .openSlot)
                logger.warning("could not connect to PostgreSQL", metadata: ["error": "\(error)"])
                throw error
            }
        }
    }

    /// Gives a connection back.
    public func release(_ connection: PQConnection) async {
        let reusable = connection.isReusable
            && ContinuousClock.now - connection.createdAt < configuration.maxLifetime
        let waiter: Waiter?
        let grant: Grant
        if reusable {
            let idle = Idle(connection: connection, since: .now)
            (waiter, grant) = state.withLock { s -> (Waiter?, Grant) in
                if s.closed {
                    s.leased -= 1
                    return (nil, .openSlot)
                }
                if !s.waiters.isEmpty { return (s.waiters.removeFirst(), .connection(idle)) }
                s.leased -= 1
                s.idle.append(idle)
                return (nil, .openSlot)
            }
            if state.withLock({ $0.closed }) && waiter == nil { await connection.close() }
        } else {
            waiter = state.withLock { s -> Waiter? in
                s.leased -= 1
                s.discarded += 1
                return Self.nextSlotWaiter(&s, max: configuration.maxConnections)
            }
            grant = .openSlot
            await connection.close()
        }
        waiter?.continuation.resume(returning: grant)
    }

    /// Returns the first waiter and reserves an opening slot for it, if there is room.
    private static func nextSlotWaiter(_ s: inout State, max: Int) -> Waiter? {
        guard !s.closed, !s.waiters.isEmpty, s.leased + s.opening + s.idle.count < max else { return nil }
        s.opening += 1
        return s.waiters.removeFirst()
    }

    /// Grants an idle connection or an opening slot if one is free and nobody queues before us.
    private static func tryGrant(_ s: inout State, max: Int) throws -> Grant? {
        if s.closed { throw PQPoolError.shutdown }
        guard s.waiters.isEmpty else { return nil }
        if let idle = s.idle.popLast() {
            s.leased += 1
            return .connection(idle)
        }
        if s.leased + s.opening + s.idle.count < max {
            s.opening += 1
            return .openSlot
        }
        return nil
    }

    /// Validates an idle connection; closes it and returns nil if it is dead or too old.
    private func check(_ idle: Idle) async -> PQConnection? {
        let now = ContinuousClock.now
        var alive = now - idle.connection.createdAt < configuration.maxLifetime
        if alive { alive = idle.connection.looksAlive() }
        if alive, now - idle.since >= configuration.idleCheckAfter { alive = await idle.connection.ping() }
        if alive { return idle.connection }
        state.withLock { s in
            s.leased -= 1
            s.opening += 1
            s.discarded += 1
        }
        await idle.connection.close()
        return nil
    }
}

extension PQPool {
    // MARK: - Service

    /// Prunes old idle connections until graceful shutdown, then closes the pool.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                await self.pruneIdle()
            }
        }
        await close()
    }

    /// Closes idle connections older than ``PQPoolConfiguration/maxIdleTime`` or ``PQPoolConfiguration/maxLifetime``.
    public func pruneIdle() async {
        let now = ContinuousClock.now
        let expired = state.withLock { s -> [Idle] in
            let (keep, drop) = s.idle.reduce(into: ([Idle](), [Idle]())) { result, idle in
                if now - idle.since >= configuration.maxIdleTime
                    || now - idle.connection.createdAt >= configuration.maxLifetime {
                    result.1.append(idle)
                } else {
                    result.0.append(idle)
                }
            }
            s.idle = keep
            s.discarded += drop.count
            return drop
        }
        for idle in expired { await idle.connection.close() }
    }

    /// Fails waiting callers, closes idle connections, waits (up to `drainTimeout`) for lent ones
    /// to come back, then stops the thread pool. Idempotent.
    public func close(drainTimeout: Duration = .seconds(10)) async {
        let (idle, waiters, wasClosed) = state.withLock { s in
            let result = (s.idle, s.waiters, s.closed)
            s.closed = true
            s.idle = []
            s.waiters = []
            return result
        }
        if wasClosed { return }
        for waiter in waiters { waiter.continuation.resume(throwing: PQPoolError.shutdown) }
        for entry in idle { await entry.connection.close() }
        let deadline = ContinuousClock.now + drainTimeout
        while state.withLock({ $0.leased + $0.opening }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await executor.shutdown()
        logger.debug("connection pool closed")
    }

    /// The waiting path of `acquire`, with timeout and cancellation.
    func wait() async throws -> Grant {
        let id = state.withLock { s -> Int in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.failWaiter(id, with: PQPoolError.acquireTimeout)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let max = configuration.maxConnections
                let now = state.withLock { s -> Result<Grant?, any Error> in
                    do {
                        if let grant = try Self.tryGrant(&s, max: max) { return .success(grant) }
                    } catch {
                        return .failure(error)
                    }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return .success(nil)
                }
                switch now {
                case .success(let grant?): continuation.resume(returning: grant)
                case .failure(let error): continuation.resume(throwing: error)
                case .success(nil): break
                }
            }
        } onCancel: {
            failWaiter(id, with: CancellationError())
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        let waiter = state.withLock { s -> Waiter? in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            if error is PQPoolError { s.timeouts += 1 }
            return s.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }
}
