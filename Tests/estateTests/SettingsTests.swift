import EstateLogic
@testable import estate
import Testing

@Suite("Configuration from the environment")
struct SettingsTests {
    @Test func defaults() throws {
        let settings = try Settings.fromEnvironment([:])
        #expect(settings.databaseURL == nil)
        #expect(settings.http.host == "127.0.0.1")
        #expect(settings.http.port == 8080)
        #expect(settings.http.maxBodyBytes == 1 << 20)
        #expect(settings.database.poolSize == 10)
        #expect(settings.database.acquireTimeoutMs == 5000)
        #expect(settings.database.statementTimeoutMs == 30_000)
        #expect(settings.logLevel == .info)
        #expect(settings.logFormat == "json")
        #expect(!settings.migrateOnStart)
        #expect(settings.http.protectionSweepInterval == .seconds(300))
        #expect(throws: Settings.Invalid.self) { try settings.databaseConfiguration() }
        let relay = settings.http.webhookRelay
        #expect(relay.enabled)
        #expect(relay.pollInterval == .seconds(1))
        #expect(relay.concurrency == 8)
        #expect(relay.requestTimeout == .seconds(10))
        #expect(relay.lease == .seconds(60))
        #expect(relay.retry == WebhookRetryPolicy(maxAttempts: 10, baseDelay: .seconds(10), factor: 3, maxDelay: .seconds(21_600)))
    }

    @Test func webhookRelayValuesAreRead() throws {
        let relay = try Settings.fromEnvironment([
            "ESTATE_WEBHOOK_RELAY": "false", "ESTATE_WEBHOOK_POLL_MS": "250", "ESTATE_WEBHOOK_CONCURRENCY": "2",
            "ESTATE_WEBHOOK_TIMEOUT_SECONDS": "5", "ESTATE_WEBHOOK_LEASE_SECONDS": "30", "ESTATE_WEBHOOK_MAX_ATTEMPTS": "4",
            "ESTATE_WEBHOOK_RETRY_BASE_SECONDS": "2", "ESTATE_WEBHOOK_RETRY_FACTOR": "5", "ESTATE_WEBHOOK_RETRY_MAX_SECONDS": "60",
        ]).http.webhookRelay
        #expect(!relay.enabled)
        #expect(relay.pollInterval == .milliseconds(250))
        #expect(relay.concurrency == 2)
        #expect(relay.requestTimeout == .seconds(5))
        #expect(relay.lease == .seconds(30))
        #expect(relay.retry.schedule == [.seconds(2), .seconds(10), .seconds(50)])
    }

    @Test func aLeaseNotLongerThanTheTimeoutIsRefused() {
        let error = #expect(throws: Settings.Invalid.self) {
            try Settings.fromEnvironment(["ESTATE_WEBHOOK_TIMEOUT_SECONDS": "30", "ESTATE_WEBHOOK_LEASE_SECONDS": "30"])
        }
        #expect(error?.description.contains("ESTATE_WEBHOOK_LEASE_SECONDS") == true)
    }

    @Test func valuesAreRead() throws {
        let settings = try Settings.fromEnvironment([
            "ESTATE_DATABASE_URL": "postgresql://db/estate", "ESTATE_HTTP_HOST": "0.0.0.0", "ESTATE_HTTP_PORT": "9000",
            "ESTATE_DB_POOL_SIZE": "20", "ESTATE_LOG_LEVEL": "DEBUG", "ESTATE_LOG_FORMAT": "text",
            "ESTATE_MIGRATE_ON_START": "true", "ESTATE_MAX_BODY_BYTES": "2048", "ESTATE_PROTECTION_SWEEP_SECONDS": "60",
        ])
        let database = try settings.databaseConfiguration()
        #expect(database.url == "postgresql://db/estate")
        #expect(database.maxConnections == 20)
        #expect(settings.http.host == "0.0.0.0")
        #expect(settings.http.port == 9000)
        #expect(settings.http.maxBodyBytes == 2048)
        #expect(settings.logLevel == .debug)
        #expect(settings.logFormat == "text")
        #expect(settings.migrateOnStart)
        #expect(settings.http.protectionSweepInterval == .seconds(60))
    }

    @Test(arguments: [
        ("ESTATE_HTTP_PORT", "eighty"), ("ESTATE_HTTP_PORT", "70000"), ("ESTATE_DB_POOL_SIZE", "0"),
        ("ESTATE_LOG_LEVEL", "loud"), ("ESTATE_LOG_FORMAT", "xml"), ("ESTATE_MIGRATE_ON_START", "yes please"),
        ("ESTATE_PROTECTION_SWEEP_SECONDS", "0"), ("ESTATE_WEBHOOK_RELAY", "maybe"), ("ESTATE_WEBHOOK_MAX_ATTEMPTS", "0"),
        ("ESTATE_WEBHOOK_RETRY_FACTOR", "11"), ("ESTATE_WEBHOOK_POLL_MS", "5"),
    ])
    func invalidValuesNameTheVariable(name: String, value: String) {
        let error = #expect(throws: Settings.Invalid.self) { try Settings.fromEnvironment([name: value]) }
        #expect(error?.description.contains(name) == true)
    }
}
