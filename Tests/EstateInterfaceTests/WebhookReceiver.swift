import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Testing

/// A partner's endpoint for the tests: a real HTTP server on 127.0.0.1 (a free port) that records
/// every request and answers as told: 2xx, a failure status, or not at all until released.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: [String: String]
        let body: [UInt8]
        let at: Date
        var text: String { String(decoding: body, as: UTF8.self) }
        var eventID: String? { headers["estate-event-id"] }
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        }
    }

    enum Answer: Sendable, Equatable {
        case status(Int)
        /// Accept the request and keep it waiting until the answer changes.
        case hang
    }

    actor State {
        var received: [Received] = []
        var answer: Answer = .status(200)
        var port: Int?

        func record(_ request: Received) { received.append(request) }
        func set(_ answer: Answer) { self.answer = answer }
        func set(port: Int) { self.port = port }
    }

    let state: State
    private let task: Task<Void, any Error>
    let url: String

    private init(state: State, task: Task<Void, any Error>, url: String) {
        self.state = state
        self.task = task
        self.url = url
    }

    static func start(answer: Answer = .status(200)) async throws -> WebhookReceiver {
        let state = State()
        await state.set(answer)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            await state.record(Received(headers: headers, body: Array(buffer: body), at: Date()))
            while await state.answer == .hang {
                try await Task.sleep(for: .milliseconds(20))
            }
            guard case .status(let code) = await state.answer else { return Response(status: .ok) }
            return Response(status: HTTPResponse.Status(code: code))
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in await state.set(port: channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService() }
        var tries = 0
        while await state.port == nil, tries < 500 {
            tries += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        guard let port = await state.port, port > 0 else { throw Harness.Failure("the receiver did not start") }
        return WebhookReceiver(state: state, task: task, url: "http://127.0.0.1:\(port)/hook")
    }

    var received: [Received] { get async { await state.received } }
    func answer(_ answer: Answer) async { await state.set(answer) }

    /// Waits until `condition` holds for what was received (at most 20 s), then returns it.
    @discardableResult
    func waitFor(_ what: String, _ condition: ([Received]) -> Bool) async throws -> [Received] {
        for _ in 0..<2000 {
            let received = await received
            if condition(received) { return received }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Harness.Failure("timed out waiting for \(what); received \(await received.count) requests")
    }

    func stop() async {
        await answer(.status(503))
        task.cancel()
        _ = try? await task.value
    }
}

/// Runs a relay as a task (the test's stand-in for the service group): cancel it to stop the relay at once.
struct RelayProcess {
    let task: Task<Void, any Error>

    static func start(_ database: Database, _ settings: WebhookRelaySettings) -> RelayProcess {
        var logger = Logger(label: "webhook-relay")
        logger.logLevel = .critical
        let relay = WebhookRelay(database: database, settings: settings, logger: logger)
        return RelayProcess(task: Task { try await relay.run() })
    }

    /// Kills the relay: its task is cancelled wherever it is (a delivery in flight is abandoned).
    func kill() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension WebhookRelaySettings {
    /// Quick settings for tests: 20 ms polls, a 1 s lease, waits of 50 ms doubling.
    static func quick(maxAttempts: Int = 3, lease: Duration = .seconds(1), requestTimeout: Duration = .seconds(5)) -> WebhookRelaySettings {
        WebhookRelaySettings(pollInterval: .milliseconds(20), concurrency: 8, requestTimeout: requestTimeout, lease: lease,
                             retry: WebhookRetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(50), factor: 2,
                                                       maxDelay: .seconds(1)))
    }
}

/// Recomputes a delivery's signature the way README.md tells partners to: with `openssl dgst -hmac`.
func opensslSignature(secret: String, timestamp: String, body: [UInt8]) async throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-body-\(UUID().uuidString)")
    try Data(body).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let output = try await runProcess("/bin/sh", ["-c", #"{ printf '%s.' "$1"; cat "$2"; } | openssl dgst -sha256 -hmac "$3""#, "sh",
                                                  timestamp, file.path, secret])
    #expect(output.status == 0, "\(output.output)")
    return String(output.standardOutput.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
}
