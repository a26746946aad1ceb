import EstateData
import EstateInterface
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Request bodies and error mapping, through test-only routes added to the real route table
/// (the production API has no JSON body route yet).
@Suite("Bodies and error mapping")
struct BodyTests {
    struct Echo: ResponseCodable, Equatable {
        let name: String
        let count: Int
    }

    /// Must never reach a client: it stands for SQL text, file paths and the like.
    struct LeakyError: Error, CustomStringConvertible {
        var description: String { "SECRET-internal SELECT * FROM users at /srv/estate/Sources/x.swift:12" }
    }

    static let json = HTTPFields(requestID: nil, contentType: "application/json")

    static func testRoutes(_ routes: inout RouteTable) {
        routes.add(.post, "/test/echo", access: .anonymous) { request, context in
            try await request.decode(as: Echo.self, context: context)
        }
        routes.add(.get, "/test/crash", access: .anonymous) { _, _ -> Response in
            throw LeakyError()
        }
        routes.add(.get, "/test/unavailable", access: .anonymous) { _, _ -> Response in
            throw DataError.unavailable("SECRET pool exhausted at host=/var/run/pg")
        }
    }

    static func withEchoAPI(maxBodyBytes: Int = 1 << 20,
                            _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Harness.withAPI(configuration: HTTPConfiguration(maxBodyBytes: maxBodyBytes),
                                  extraRoutes: testRoutes, test)
    }

    static func post(_ client: any TestClientProtocol, _ body: String, headers: HTTPFields = json) async throws -> TestResponse {
        try await client.execute(uri: "/test/echo", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("a well-formed body is decoded and echoed")
    func echo() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, #"{"name":"Tower A","count":3}"#)
            #expect(response.status == .ok, "body: \(response.text)")
            #expect(response.contentType == "application/json")
            #expect(try JSONDecoder().decode(Echo.self, from: Data(response.body.readableBytesView)) == Echo(name: "Tower A", count: 3))
        }
    }

    @Test("malformed JSON answers 400 naming the line and column")
    func malformed() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, "{\n  \"name\": \"x\",\n  \"count\": }\n")
            let problem = try expectProblem(response, status: 400, code: "bad-request")
            let detail = problem.detail ?? ""
            #expect(detail.range(of: #"line 3, column \d+"#, options: .regularExpression) != nil, "detail: \(detail)")
        }
    }

    @Test("an empty body answers 400")
    func empty() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, "")
            try expectProblem(response, status: 400, code: "bad-request")
        }
    }

    @Test("a missing field answers 400 naming the field")
    func missingField() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, #"{"name":"x"}"#)
            let problem = try expectProblem(response, status: 400, code: "validation")
            #expect(problem.errors?.first?.field == "count")
        }
    }

    @Test("a field of the wrong type answers 400 naming the field")
    func wrongType() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, #"{"name":"x","count":"three"}"#)
            let problem = try expectProblem(response, status: 400, code: "validation")
            #expect(problem.errors?.first?.field == "count")
            #expect(problem.errors?.first?.message.contains("integer") == true, "\(problem.errors ?? [])")
        }
    }

    @Test("a body over the limit answers 413")
    func tooLarge() async throws {
        try await Self.withEchoAPI(maxBodyBytes: 1024) { client in
            let big = #"{"name":""# + String(repeating: "x", count: 2000) + #"","count":1}"#
            let response = try await Self.post(client, big)
            try expectProblem(response, status: 413, code: "content-too-large")
            // Just under the limit still works.
            let small = try await Self.post(client, #"{"name":""# + String(repeating: "x", count: 900) + #"","count":1}"#)
            #expect(small.status == .ok)
        }
    }

    @Test("a body that is not JSON answers 415")
    func wrongMediaType() async throws {
        try await Self.withEchoAPI { client in
            let response = try await Self.post(client, #"{"name":"x","count":1}"#,
                                               headers: HTTPFields(requestID: nil, contentType: "text/plain"))
            try expectProblem(response, status: 415, code: "unsupported-media-type")
        }
    }

    @Test("an unexpected error answers 500 without internal details")
    func internalError() async throws {
        try await Self.withEchoAPI { client in
            let response = try await client.execute(uri: "/test/crash", method: .get)
            let problem = try expectProblem(response, status: 500, code: "internal")
            #expect(!response.text.contains("SECRET"))
            #expect(!response.text.contains("SELECT"))
            #expect(!response.text.contains("LeakyError"))
            #expect(problem.requestId != nil)
        }
    }

    @Test("an unavailable database answers 503 with Retry-After and no internal details")
    func unavailable() async throws {
        try await Self.withEchoAPI { client in
            let response = try await client.execute(uri: "/test/unavailable", method: .get)
            try expectProblem(response, status: 503, code: "unavailable")
            #expect(response.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 } == true)
            #expect(!response.text.contains("SECRET"))
        }
    }
}
