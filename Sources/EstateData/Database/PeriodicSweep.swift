import Logging
import ServiceLifecycle

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
