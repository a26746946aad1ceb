import Foundation

/// Slows down password guessing: after too many failed logins within a window, for a user or from
/// a client address, further attempts are refused until the oldest failure leaves the window.
/// Pure state; the caller supplies the clock and keeps one instance per process.
public struct LoginThrottle: Sendable {
    public struct Limit: Sendable, Hashable {
        /// Failures allowed within `window` before attempts are refused.
        public var failures: Int
        public var window: TimeInterval
        public init(failures: Int, window: TimeInterval) {
            self.failures = failures
            self.window = window
        }
    }

    /// 5 failures per user, 20 per client address, in 15 minutes.
    public static let standard = (user: Limit(failures: 5, window: 900), address: Limit(failures: 20, window: 900))

    public let userLimit: Limit
    public let addressLimit: Limit
    /// Keys remembered at most (oldest forgotten first), so that a flood cannot exhaust memory.
    public let capacity: Int
    private var failures: [String: [Date]] = [:]

    public init(userLimit: Limit = standard.user, addressLimit: Limit = standard.address, capacity: Int = 100_000) {
        self.userLimit = userLimit
        self.addressLimit = addressLimit
        self.capacity = capacity
    }

    static func userKey(group: String, username: String) -> String { "user:\(group.lowercased())/\(username.lowercased())" }
    static func addressKey(_ address: String) -> String { "addr:\(address)" }

    /// Seconds to wait before another attempt is allowed, or nil when one may go ahead now.
    public mutating func retryAfter(group: String, username: String, address: String, now: Date) -> Int? {
        let waits = [(Self.userKey(group: group, username: username), userLimit), (Self.addressKey(address), addressLimit)]
            .compactMap { key, limit -> TimeInterval? in
                let recent = prune(key, window: limit.window, now: now)
                guard recent.count >= limit.failures, let oldest = recent.first else { return nil }
                return oldest.addingTimeInterval(limit.window).timeIntervalSince(now)
            }
        return waits.max().map { max(1, Int($0.rounded(.up))) }
    }

    /// Counts a failed attempt against the user and the address.
    public mutating func recordFailure(group: String, username: String, address: String, now: Date) {
        for key in [Self.userKey(group: group, username: username), Self.addressKey(address)] {
            if failures[key] == nil, failures.count >= capacity, let victim = failures.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) })?.key {
                failures[victim] = nil
            }
            failures[key, default: []].append(now)
        }
    }

    /// A successful login clears the user's failures (not the address's).
    public mutating func recordSuccess(group: String, username: String) {
        failures[Self.userKey(group: group, username: username)] = nil
    }

    private mutating func prune(_ key: String, window: TimeInterval, now: Date) -> [Date] {
        guard let list = failures[key] else { return [] }
        let recent = list.filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
