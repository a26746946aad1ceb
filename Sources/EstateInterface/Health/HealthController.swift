import EstateData
import Hummingbird

/// `/health/live`, `/health/ready` and `/metrics` for operators and orchestrators.
struct HealthController {
    let database: Database
    let metrics: HTTPMetrics

    struct Liveness: ResponseEncodable {
        let status: String
    }

    struct ReadinessBody: ResponseEncodable {
        let status: String
        let database: String
        let migrationsApplied: Int
        let migrationsPending: [String]
    }

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/health/live", access: .anonymous) { _, _ in Liveness(status: "live") }
        routes.add(.get, "/health/ready", access: .anonymous) { _, _ in try await ready() }
        routes.add(.get, "/metrics", access: .anonymous) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render(database: database.statistics))))
        }
    }

    func ready() async throws -> ReadinessBody {
        let readiness = await database.readiness()
        guard readiness.reachable, let migrations = readiness.migrations else {
            throw Problem.unavailable("The database is not reachable.", retryAfterSeconds: 5)
        }
        guard migrations.isCurrent else {
            var reasons = migrations.problems.map(\.description)
            if !migrations.pending.isEmpty {
                reasons.append("pending migrations: \(migrations.pending.joined(separator: ", "))")
            }
            throw Problem.unavailable("The database schema is not current: \(reasons.joined(separator: "; ")).",
                                      retryAfterSeconds: 5)
        }
        return ReadinessBody(status: "ready", database: "reachable", migrationsApplied: migrations.applied.count,
                             migrationsPending: [])
    }
}
