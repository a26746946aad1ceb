import EstateData
import Prometheus

/// The API's Prometheus metrics: requests and latency per route and status, pool and database errors.
/// One registry per application (no global metrics bootstrap), rendered by `GET /metrics`.
public final class HTTPMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "estate", subsystem: "http", metricName: "requests", unitName: "total",
                             helpText: "HTTP requests by method, route and status.")
    }
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "estate", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                             helpText: "HTTP request latency by method, route and status.")
    }

    public init() {}

    func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: labels, buckets: Self.buckets)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Prometheus text exposition (version 0.0.4) of everything, with the database figures read now.
    func render(database: DatabaseStatistics) -> String {
        var text = registry.emitToString()
        text += "# HELP estate_db_pool_connections Database connections by state.\n"
        text += "# TYPE estate_db_pool_connections gauge\n"
        for (state, value) in [("in_use", database.inUse), ("idle", database.idle), ("waiting", database.waiting)] {
            text += "estate_db_pool_connections{state=\"\(state)\"} \(value)\n"
        }
        text += "# HELP estate_db_pool_max_connections Configured pool size.\n# TYPE estate_db_pool_max_connections gauge\n"
        text += "estate_db_pool_max_connections \(database.maxConnections)\n"
        text += "# HELP estate_db_pool_acquire_timeouts_total Acquires that timed out.\n# TYPE estate_db_pool_acquire_timeouts_total counter\n"
        text += "estate_db_pool_acquire_timeouts_total \(database.acquireTimeouts)\n"
        text += "# HELP estate_db_connections_opened_total Connections opened.\n# TYPE estate_db_connections_opened_total counter\n"
        text += "estate_db_connections_opened_total \(database.opened)\n"
        text += "# HELP estate_db_connections_discarded_total Connections closed as broken or expired.\n# TYPE estate_db_connections_discarded_total counter\n"
        text += "estate_db_connections_discarded_total \(database.discarded)\n"
        text += "# HELP estate_db_errors_total Database errors by kind.\n# TYPE estate_db_errors_total counter\n"
        for kind in ["unavailable", "timeout", "constraint", "serialization", "other"] {
            text += "estate_db_errors_total{kind=\"\(kind)\"} \(database.errors[kind, default: 0])\n"
        }
        return text
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
