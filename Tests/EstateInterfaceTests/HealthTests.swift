import EstateData
import EstateInterface
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Health")
struct HealthTests {
    @Test("GET /health/live answers 200 JSON")
    func liveness() async throws {
        try await Harness.withAPI { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.contentType == "application/json")
                #expect(try response.jsonObject()["status"] as? String == "live")
                try expectConforms(response, to: "GET", "/health/live")
            }
        }
    }

    @Test("GET /health/ready answers 200 on a migrated database")
    func readyWhenMigrated() async throws {
        try await Harness.withAPI(database: .migrated) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok, "body: \(response.text)")
                let body = try response.jsonObject()
                #expect(body["status"] as? String == "ready")
                #expect(body["database"] as? String == "reachable")
                #expect((body["migrationsApplied"] as? Int ?? 0) >= 1)
                #expect((body["migrationsPending"] as? [String]) == [])
                try expectConforms(response, to: "GET", "/health/ready")
            }
        }
    }

    @Test("GET /health/ready answers 503 naming the pending migrations on an unmigrated database")
    func notReadyWhenUnmigrated() async throws {
        let pending = try Migration.bundled().map(\.name)
        try await Harness.withAPI(database: .empty) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                let problem = try expectProblem(response, status: 503, code: "unavailable")
                #expect(response.headers[.retryAfter].flatMap(Int.init) != nil)
                #expect(!pending.isEmpty)
                for name in pending {
                    #expect(problem.detail?.contains(name) == true, "detail: \(problem.detail ?? "nil")")
                }
                #expect(problem.instance == "/health/ready")
                try expectConforms(response, to: "GET", "/health/ready")
            }
        }
    }

    @Test("GET /health/ready answers 503 when the database is unreachable")
    func notReadyWhenUnreachable() async throws {
        try await Harness.withAPI(database: .unreachable) { client in
            // Twice: the first failure must not leave the pool or the server in a bad state.
            for _ in 0..<2 {
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    let problem = try expectProblem(response, status: 503, code: "unavailable")
                    #expect(response.headers[.retryAfter].flatMap(Int.init) != nil)
                    #expect(problem.detail?.contains("nonexistent") != true, "no connection details leak")
                    try expectConforms(response, to: "GET", "/health/ready")
                }
            }
            // Liveness does not depend on the database.
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("GET /metrics is Prometheus text with request counts per route and status and pool gauges")
    func metrics() async throws {
        try await Harness.withAPI { client in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/no/such/thing", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.contentType.hasPrefix("text/plain"))
                let lines = response.text.split(separator: "\n").map(String.init)
                let requests = lines.filter { $0.hasPrefix("estate_http_requests_total{") }
                #expect(requests.contains {
                    $0.contains(#"route="/health/live""#) && $0.contains(#"status="200""#) && $0.contains(#"method="GET""#)
                        && $0.hasSuffix(" 1")
                }, "\(requests)")
                #expect(requests.contains { $0.contains(#"status="404""#) }, "\(requests)")
                #expect(lines.contains("# TYPE estate_http_requests_total counter"))
                #expect(lines.contains { $0.hasPrefix("estate_http_request_duration_seconds_bucket{") })
                for state in ["in_use", "idle", "waiting"] {
                    #expect(lines.contains { $0.hasPrefix(#"estate_db_pool_connections{state="\#(state)"} "#) })
                }
                #expect(lines.contains { $0.hasPrefix("estate_db_pool_max_connections ") })
                try expectConforms(response, to: "GET", "/metrics")
            }
        }
    }
}
