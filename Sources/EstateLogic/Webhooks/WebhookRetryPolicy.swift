import Foundation

/// When a failed webhook delivery is tried again: after attempt n (1-based) the next one waits
/// `baseDelay × factor^(n−1)`, at most `maxDelay`; after attempt `maxAttempts` the delivery is
/// dead (kept, listable and replayable). The defaults (10 attempts: 10 s, 30 s, 1.5 min, 4.5 min,
/// 13.5 min, 40.5 min, about 2 h, then 6 h twice) keep trying for about 15 hours.
public struct WebhookRetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (at least 1).
    public var maxAttempts: Int
    public var baseDelay: Duration
    /// How much each wait grows (at least 1).
    public var factor: Int
    public var maxDelay: Duration

    public init(maxAttempts: Int = 10, baseDelay: Duration = .seconds(10), factor: Int = 3, maxDelay: Duration = .seconds(6 * 3600)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.factor = max(1, factor)
        self.maxDelay = maxDelay
    }

    /// What follows a failed attempt.
    public enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case deadLetter
    }

    /// The decision after failed attempt `attempt` (1 = the first).
    public func afterFailure(attempt: Int) -> Decision {
        attempt >= maxAttempts ? .deadLetter : .retry(after: delay(afterAttempt: attempt))
    }

    /// The wait after failed attempt `attempt` (1-based): `baseDelay × factor^(attempt−1)`, capped at `maxDelay`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * factor
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// Every wait between the attempts, in order (`maxAttempts − 1` of them).
    public var schedule: [Duration] {
        (1..<maxAttempts).map { delay(afterAttempt: $0) }
    }
}

extension Duration {
    /// Whole milliseconds (rounded down), for the database's intervals.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
