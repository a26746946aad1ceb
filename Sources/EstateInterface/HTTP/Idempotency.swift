import EstateData
import Foundation
import HTTPTypes
import Hummingbird

/// `Idempotency-Key` on POSTs that create deals, steps, collections, refunds and receipts: a retry
/// gets the first response without the work being done again; the same key with another request
/// is 422; two concurrent requests with one key execute once (the key is claimed in the work's
/// own transaction, so the second waits for the first to commit, then replays it).
///
///     var request = request
///     let idempotency = try await IdempotencyGuard(&request, context: context)
///     let body = try await request.decode(as: Input.self, context: context)
///     return try await database.unitOfWork { work in
///         try await idempotency.perform(work, context: context) { ... return response }
///     }
struct IdempotencyGuard: Sendable {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let maximumKeyLength = 255
    /// Response headers kept with the stored response.
    static let keptHeaders: [HTTPField.Name] = [.contentType, .eTag, .location]

    let key: String?
    let method: String
    let path: String
    let requestHash: String

    /// Reads the key and, when there is one, the request's body (left in place for decoding).
    init(_ request: inout Request, context: EstateRequestContext) async throws {
        method = request.method.rawValue
        path = request.uri.path
        guard let key = request.headers[Self.header] else {
            self.key = nil
            requestHash = ""
            return
        }
        guard !key.isEmpty, key.count <= Self.maximumKeyLength, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw Problem.badRequest("Bad Idempotency-Key header.", errors: [.init(
                field: "Idempotency-Key", message: "must be 1 to \(Self.maximumKeyLength) visible ASCII characters, e.g. a UUID")])
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.contentTooLarge(limit: context.maxUploadSize)
        }
        var hashed = Data("\(method) \(path)\n".utf8)
        hashed.append(contentsOf: body.readableBytesView)
        self.key = key
        requestHash = SHA256Hex.of(bytes: hashed)
    }

    /// Runs `body` once for the key: the first time its response is stored in `work`'s transaction;
    /// a retry gets the stored response back (with `Idempotent-Replayed: true`).
    func perform(_ work: UnitOfWork, context: EstateRequestContext, _ body: () async throws -> Response) async throws -> Response {
        guard let key else { return try await body() }
        let caller = try context.requireCaller()
        let principal = caller.actor.historyText
        if try await work.idempotency.claim(groupID: caller.groupID, principal: principal, key: key, method: method, path: path,
                                            requestHash: requestHash) {
            let response = try await body()
            let stored = StoredResponse(requestHash: requestHash, status: Int(response.status.code),
                                        headers: Dictionary(uniqueKeysWithValues: Self.keptHeaders.compactMap { name in
                                            response.headers[name].map { (name.canonicalName, $0) }
                                        }),
                                        body: try await Self.text(of: response))
            try await work.idempotency.complete(groupID: caller.groupID, principal: principal, key: key, response: stored)
            return Self.response(stored, replayed: false)
        }
        guard let stored = try await work.idempotency.stored(groupID: caller.groupID, principal: principal, key: key) else {
            throw Problem(status: .conflict, code: "idempotency-key-busy", detail: "A request with this Idempotency-Key is still running; retry.")
        }
        guard stored.requestHash == requestHash else {
            throw Problem(status: .unprocessableContent, code: "idempotency-key-reused",
                          detail: "This Idempotency-Key was used for another request; use a new key for a new request.",
                          errors: [.init(field: "Idempotency-Key", message: "was used with another method, path or body")])
        }
        return Self.response(stored, replayed: true)
    }

    static func response(_ stored: StoredResponse, replayed: Bool) -> Response {
        var headers = HTTPFields()
        for (name, value) in stored.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if replayed { headers[replayedHeader] = "true" }
        return Response(status: HTTPResponse.Status(code: stored.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }

    /// The bytes of a response's body, as text.
    static func text(of response: Response) async throws -> String {
        let collector = Collector()
        try await response.body.write(CollectingWriter(collector: collector))
        return String(decoding: collector.buffer.readableBytesView, as: UTF8.self)
    }

    private final class Collector: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let collector: Collector
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collector.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
