import EstateInterface
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Problems and request ids")
struct ProblemTests {
    @Test("an unknown path answers 404 problem+json")
    func unknownRoute() async throws {
        try await Harness.withAPI { client in
            try await client.execute(uri: "/no/such/thing?x=1", method: .get) { response in
                let problem = try expectProblem(response, status: 404, code: "not-found")
                #expect(problem.instance == "/no/such/thing")
                #expect(problem.title == "Not Found")
            }
        }
    }

    @Test("another method on a known path answers 405 with Allow")
    func wrongMethod() async throws {
        try await Harness.withAPI { client in
            try await client.execute(uri: "/health/live", method: .post) { response in
                let problem = try expectProblem(response, status: 405, code: "method-not-allowed")
                #expect(response.headers[.allow] == "GET")
                #expect(problem.instance == "/health/live")
                try expectConforms(response, to: "GET", "/health/live")
            }
            try await client.execute(uri: "/metrics", method: .delete) { response in
                try expectProblem(response, status: 405, code: "method-not-allowed")
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    @Test("a well-formed X-Request-ID is echoed on the response and in the problem")
    func requestIDEchoed() async throws {
        let id = "client-Req_42.abc"
        try await Harness.withAPI { client in
            try await client.execute(uri: "/health/live", method: .get, headers: HTTPFields(requestID: id)) { response in
                #expect(response.headers[.xRequestID] == id)
            }
            try await client.execute(uri: "/nowhere", method: .get, headers: HTTPFields(requestID: id)) { response in
                #expect(response.headers[.xRequestID] == id)
                let problem = try expectProblem(response, status: 404)
                #expect(problem.requestId == id)
            }
        }
    }

    @Test("a missing or malformed X-Request-ID is replaced by a generated one",
          arguments: [nil, "has spaces in it", String(repeating: "a", count: 200), "semi;colon", ""])
    func requestIDGenerated(incoming: String?) async throws {
        try await Harness.withAPI { client in
            let first = try await client.execute(uri: "/nowhere", method: .get, headers: HTTPFields(requestID: incoming)) { response in
                let id = response.headers[.xRequestID]
                #expect(Harness.isGeneratedID(id), "got \(id ?? "nil")")
                #expect(id != incoming)
                let problem = try expectProblem(response, status: 404)
                #expect(problem.requestId == id)
                return id
            }
            let second = try await client.execute(uri: "/health/live", method: .get, headers: HTTPFields(requestID: incoming)) {
                $0.headers[.xRequestID]
            }
            #expect(Harness.isGeneratedID(second))
            #expect(first != second, "each request gets its own id")
        }
    }
}
