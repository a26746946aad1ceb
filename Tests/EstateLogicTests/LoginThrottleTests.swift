import EstateLogic
import Foundation
import Testing

@Suite("Login throttle")
struct LoginThrottleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func userIsBlockedAfterTooManyFailuresUntilTheWindowPasses() {
        var throttle = LoginThrottle(userLimit: .init(failures: 3, window: 60), addressLimit: .init(failures: 100, window: 60))
        for second in 0..<3 {
            #expect(throttle.retryAfter(group: "g", username: "ann", address: "a", now: start + Double(second)) == nil)
            throttle.recordFailure(group: "g", username: "ann", address: "a", now: start + Double(second))
        }
        #expect(throttle.retryAfter(group: "g", username: "ANN", address: "b", now: start + 10) == 50)
        #expect(throttle.retryAfter(group: "g", username: "bob", address: "a", now: start + 10) == nil)
        #expect(throttle.retryAfter(group: "g", username: "ann", address: "a", now: start + 60.5) == nil)
    }

    @Test func successClearsTheUserButNotTheAddress() {
        var throttle = LoginThrottle(userLimit: .init(failures: 2, window: 60), addressLimit: .init(failures: 3, window: 60))
        throttle.recordFailure(group: "g", username: "ann", address: "a", now: start)
        throttle.recordFailure(group: "g", username: "ann", address: "a", now: start + 1)
        #expect(throttle.retryAfter(group: "g", username: "ann", address: "z", now: start + 2) != nil)
        throttle.recordSuccess(group: "g", username: "ann")
        #expect(throttle.retryAfter(group: "g", username: "ann", address: "z", now: start + 2) == nil)
        throttle.recordFailure(group: "g", username: "cy", address: "a", now: start + 3)
        // Three failures from address a, whoever they were for.
        #expect(throttle.retryAfter(group: "g", username: "dee", address: "a", now: start + 4) == 56)
    }

    @Test func memoryIsBounded() {
        var throttle = LoginThrottle(userLimit: .init(failures: 1, window: 60), addressLimit: .init(failures: 1, window: 60), capacity: 10)
        for index in 0..<100 {
            throttle.recordFailure(group: "g", username: "u\(index)", address: "a\(index)", now: start + Double(index) / 100)
        }
        // The newest are remembered, the oldest forgotten.
        #expect(throttle.retryAfter(group: "g", username: "u99", address: "x", now: start + 1) != nil)
        #expect(throttle.retryAfter(group: "g", username: "u0", address: "x", now: start + 1) == nil)
    }
}
