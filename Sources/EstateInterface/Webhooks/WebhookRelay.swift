import AsyncHTTPClient
import EstateData
import EstateLogic
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// How the webhook relay works (README: the `ESTATE_WEBHOOK_*` variables).
public struct WebhookRelaySettings: Sendable {
    /// Whether `serve` runs the relay at all.
    public var enabled: Bool
    /// How long the relay sleeps when nothing is due.
    public var pollInterval: Duration
    /// Deliveries claimed (and sent at once) per round.
    public var concurrency: Int
    /// The longest a partner may take to answer (connecting included).
    public var requestTimeout: Duration
    /// How long a claimed delivery is the relay's: a relay that stops mid-delivery leaves it to be
    /// sent again this long after the claim. Keep it above `requestTimeout`.
    public var lease: Duration
    public var retry: WebhookRetryPolicy

    public init(enabled: Bool = true, pollInterval: Duration = .seconds(1), concurrency: Int = 8, requestTimeout: Duration = .seconds(10),
                lease: Duration = .seconds(60), retry: WebhookRetryPolicy = WebhookRetryPolicy()) {
        self.enabled = enabled
        self.pollInterval = pollInterval
        self.concurrency = max(1, concurrency)
        self.requestTimeout = requestTimeout
        self.lease = lease
        self.retry = retry
    }
}

/// The background service that delivers the outbox: it claims due deliveries (``DeliveryQueue``),
/// POSTs each event to its webhook, signed (``WebhookSignature``), and records the outcome: 2xx is
/// delivered, anything else (another status, a refused connection, a timeout) is retried after the
/// policy's wait, and dead after the last attempt. Delivery is at least once: a relay stopped
/// mid-delivery records nothing, the delivery's lease runs out and a relay sends the same event
/// (same `Estate-Event-Id`, same body) again. Redirects are not followed (a 3xx is a failure).
public struct WebhookRelay: Service {
    let queue: DeliveryQueue
    let settings: WebhookRelaySettings
    let logger: Logger

    public init(database: Database, settings: WebhookRelaySettings, logger: Logger) {
        self.queue = DeliveryQueue(database: database)
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(settings.requestTimeout.wholeMilliseconds),
                           read: .milliseconds(settings.requestTimeout.wholeMilliseconds)))
        try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let delivered = await round(client)
                if delivered == 0 {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
                }
            }
        }
    }

    /// Claims what is due and sends it, all at once; returns how many were claimed.
    func round(_ client: HTTPClient) async -> Int {
        let claimed: [ClaimedDelivery]
        do {
            claimed = try await queue.claim(limit: settings.concurrency, lease: settings.lease)
        } catch {
            if !Task.isCancelled { logger.warning("webhook relay could not claim deliveries", metadata: ["error": "\(error)"]) }
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed {
                group.addTask { await deliver(delivery, client) }
            }
        }
        return claimed.count
    }

    /// Sends one delivery and records how it went (nothing when the relay is being stopped: the lease decides).
    func deliver(_ delivery: ClaimedDelivery, _ client: HTTPClient) async {
        let metadata: Logger.Metadata = ["delivery": "\(delivery.id)", "event": "\(delivery.event.id)", "attempt": "\(delivery.attempt)"]
        let outcome: (status: Int?, error: String?)
        do {
            let request = try Self.request(delivery, timestamp: Int64(Date().timeIntervalSince1970))
            let response = try await client.execute(request, timeout: .milliseconds(settings.requestTimeout.wholeMilliseconds))
            // Read (and drop) a little of the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            outcome = (200..<300).contains(status) ? (status, nil) : (status, "HTTP \(status)")
        } catch {
            if Task.isCancelled { return }
            outcome = (nil, Self.describe(error))
        }
        do {
            if let error = outcome.error {
                let decision = settings.retry.afterFailure(attempt: delivery.attempt)
                try await queue.failed(delivery, status: outcome.status, error: error, then: decision)
                if decision == .deadLetter {
                    logger.warning("webhook delivery dead", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                } else {
                    logger.info("webhook delivery failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
            } else {
                try await queue.delivered(delivery, status: outcome.status ?? 200)
            }
        } catch {
            if !Task.isCancelled {
                logger.warning("webhook delivery outcome not recorded", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
    }

    /// The signed POST of a delivery.
    static func request(_ delivery: ClaimedDelivery, timestamp: Int64) throws -> HTTPClientRequest {
        let (body, contentType) = try EventDocument.body(delivery.event, format: delivery.format)
        let signature = SHA256Hex.hmac(key: delivery.secret, message: WebhookSignature.signedContent(timestamp: timestamp, body: body))
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "Estate-Webhooks/1")
        request.headers.add(name: "Estate-Event-Id", value: delivery.event.id.uuidString)
        request.headers.add(name: "Estate-Event-Type", value: delivery.event.type.rawValue)
        request.headers.add(name: "Estate-Delivery-Id", value: delivery.id.uuidString)
        request.headers.add(name: "Estate-Delivery-Attempt", value: String(delivery.attempt))
        request.headers.add(name: "Estate-Timestamp", value: String(timestamp))
        request.headers.add(name: "Estate-Signature", value: WebhookSignature.header(hexDigest: signature))
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// A failure as stored in `last_error`: short, without internals of ours.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? HTTPClientError else { return String("\(error)".prefix(300)) }
        if [HTTPClientError.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) { return "timed out" }
        if error == .remoteConnectionClosed { return "connection closed by the receiver" }
        return "HTTP client error: \(error)"
    }
}
