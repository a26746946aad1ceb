import Foundation
import NIOPosix
import Synchronization

/// The threads that run libpq for a pool: event-loop threads for statements (see ``PQEventLoop``)
/// and a thread pool, one thread per connection, for the calls that block (connect, close).
public final class PQExecutor: Sendable {
    let threadPool: NIOThreadPool
    private let loops: [PQEventLoop]
    private let next = Atomic<Int>(0)

    /// - Parameters:
    ///   - blockingThreads: threads for connect and close (the pool's size).
    ///   - eventLoops: threads multiplexing the connections' statements.
    public init(blockingThreads: Int, eventLoops: Int) {
        threadPool = NIOThreadPool(numberOfThreads: max(1, blockingThreads))
        threadPool.start()
        loops = (0..<max(1, eventLoops)).map { PQEventLoop(name: "pq-loop-\($0)") }
    }

    /// The loop for a new connection (round robin).
    func nextLoop() -> PQEventLoop {
        loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every thread; statements still in flight fail.
    public func shutdown() async {
        for loop in loops { loop.stop() }
        try? await threadPool.shutdownGracefully()
    }

    deinit {
        // A pool dropped without close(): do not leave its threads behind (both calls are idempotent).
        for loop in loops { loop.stop() }
        threadPool.shutdownGracefully { _ in }
    }
}
