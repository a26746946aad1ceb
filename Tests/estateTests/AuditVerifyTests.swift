import EstateData
import EstateLogic
import EstateTestSupport
import Foundation
import PQ
import Testing

/// `estate audit verify` finds every kind of tampering done with SQL behind the application's back.
@Suite("estate audit verify")
struct AuditVerifyTests {
    /// A migrated database whose demo group has a trail of five entries.
    func trail() async throws -> (url: String, groupID: UUID) {
        let url = try await TestDatabase.migrated()
        let database = try TestDatabase.database(url: url)
        let group = Group(id: UUIDv7.make(), code: "audited", name: "Audited Group")
        try await database.unitOfWork { work in
            _ = try await work.groups.insertIfMissing(group)
            for index in 1...5 {
                try await work.audit.append(
                    AuditEvent(actor: .system, action: "test.write", objectType: "thing", objectID: UUIDv7.make(),
                               orgUnitID: nil, changes: [AuditChange(field: "n", before: nil, after: String(index))],
                               requestID: "req-\(index)"),
                    groupID: group.id)
            }
        }
        await database.close()
        return (url, group.id)
    }

    /// Runs tampering SQL as an attacker with database access would: triggers off for the session.
    func tamper(_ url: String, _ statements: [SQL]) async throws {
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        try await pool.withConnection { connection in
            try await connection.execute("SET session_replication_role = replica")
            for statement in statements { try await connection.execute(statement) }
        }
        await pool.close()
    }

    func verify(_ url: String) async throws -> ProcessOutput {
        try await runProcess(CommandTests.binary.path, ["audit", "verify"],
                             environment: ["ESTATE_DATABASE_URL": url, "ESTATE_LOG_FORMAT": "text"])
    }

    @Test func intactTrailVerifies() async throws {
        let (url, _) = try await trail()
        let result = try await verify(url)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("group audited: 5 entries, chain whole"))
    }

    @Test func appendOnlyIsEnforcedForTheApplication() async throws {
        let (url, _) = try await trail()
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        let error = await #expect(throws: PQError.self) { try await pool.execute("UPDATE audit_entries SET action = 'x'") }
        #expect(error?.message.contains("append-only") == true)
        await #expect(throws: PQError.self) { try await pool.execute("DELETE FROM audit_entries") }
        await pool.close()
    }

    @Test(arguments: [
        ("altered", 3, "content was altered"),
        ("deleted", 4, "entries 3…3 are missing"),
        ("deletedLast", 5, "removed from the end"),
        ("inserted", 3, "content was altered"),
        ("reordered", 2, "does not follow"),
    ])
    func tamperingIsDetected(kind: String, brokenAt: Int, reason: String) async throws {
        let (url, group) = try await trail()
        switch kind {
        case "altered":
            try await tamper(url, ["""
                UPDATE audit_entries SET changes = '[{"field":"n","after":"999"}]' WHERE group_id = \(group) AND sequence = 3
                """])
        case "deleted":
            try await tamper(url, ["DELETE FROM audit_entries WHERE group_id = \(group) AND sequence = 3"])
        case "deletedLast":
            try await tamper(url, ["DELETE FROM audit_entries WHERE group_id = \(group) AND sequence = 5"])
        case "inserted":
            // Make room after #2 and put a forged entry there, copying #2's hash as its "previous".
            try await tamper(url, [
                "UPDATE audit_entries SET sequence = sequence + 100 WHERE group_id = \(group) AND sequence >= 3",
                "UPDATE audit_entries SET sequence = sequence - 99 WHERE group_id = \(group) AND sequence >= 103",
                """
                INSERT INTO audit_entries (group_id, sequence, id, occurred_at, actor_type, actor_id, action, object_type,
                                           object_id, org_unit_id, changes, request_id, previous_hash, hash)
                SELECT group_id, 3, \(UUIDv7.make()), occurred_at, 'system', NULL, 'forged', object_type, object_id, NULL,
                       '[]', NULL, hash, repeat('f', 64)
                FROM audit_entries WHERE group_id = \(group) AND sequence = 2
                """,
                "UPDATE audit_heads SET last_sequence = 6 WHERE group_id = \(group)",
            ])
        default:  // reordered: swap #2 and #3
            try await tamper(url, [
                "UPDATE audit_entries SET sequence = 0 WHERE group_id = \(group) AND sequence = 2",
                "UPDATE audit_entries SET sequence = 2 WHERE group_id = \(group) AND sequence = 3",
                "UPDATE audit_entries SET sequence = 3 WHERE group_id = \(group) AND sequence = 0",
            ])
        }
        let result = try await verify(url)
        #expect(result.status == 1, "\(kind): \(result.output)")
        #expect(result.output.contains("BROKEN  group audited: entry #\(brokenAt)"), "\(kind): \(result.output)")
        #expect(result.output.contains(reason), "\(kind): \(result.output)")
    }
}
