import EstateData
import EstateLogic
import EstateTestSupport
import Foundation
import PQ
import Testing

/// Row-level security keeps a role that is subject to it inside the group named by `estate.group_id`.
@Suite("Row-level security")
struct RowLevelSecurityTests {
    static let tables = ["org_units", "users", "role_grants", "sessions", "audit_entries", "audit_heads"]

    @Test func queriesSeeOnlyTheGroupSet() async throws {
        let url = try await TestDatabase.migrated()
        let database = try TestDatabase.database(url: url)
        _ = try await database.seedDemo(hasher: PasswordHasher(cost: 4))
        // Give the demo group a session and an audit entry, so that every table has a row.
        let demo = try await database.unitOfWork { try await $0.groups.find(code: DemoData.groupCode) }!
        _ = try await database.login(groupCode: demo.code, username: "cashier", password: DemoData.password,
                                     settings: AuthenticationSettings(hasher: PasswordHasher(cost: 4)))
        try await database.unitOfWork { work in
            try await work.audit.append(AuditEvent(actor: .system, action: "test", objectType: "group", objectID: demo.id,
                                                   orgUnitID: nil, changes: [], requestID: nil), groupID: demo.id)
        }
        await database.close()

        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        let role = "estate_rls_probe"
        try await pool.withConnection { connection in
            // A role like a tenant-scoped application role: it may read the tables, RLS applies to it.
            try await connection.executeScript("""
                DO $$ BEGIN CREATE ROLE \(role) NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                GRANT SELECT, INSERT ON \(Self.tables.joined(separator: ", ")) TO \(role);
                """)
            for table in Self.tables {
                let wrongGroup = UUIDv7.make()
                let counts = try await connection.transaction { tx -> (right: Int, wrong: Int, unset: Int) in
                    try await tx.connection.executeScript("SET LOCAL ROLE \(role)")
                    func count(_ group: UUID?) async throws -> Int {
                        try await tx.execute("SELECT set_config('estate.group_id', \(group?.uuidString ?? ""), true)")
                        return try await tx.query("SELECT count(*) AS n FROM \(unsafeRaw: table)").firstRow!.decode("n")
                    }
                    return (try await count(demo.id), try await count(wrongGroup), try await count(nil))
                }
                #expect(counts.right > 0, "\(table) shows the group's own rows")
                #expect(counts.wrong == 0, "\(table) shows rows of another group")
                #expect(counts.unset == 0, "\(table) shows rows with no group set")
            }
            // Writing a row of another group is refused too.
            let refused = await #expect(throws: PQError.self) {
                try await connection.transaction { tx in
                    try await tx.connection.executeScript("SET LOCAL ROLE \(role)")
                    try await tx.execute("SELECT set_config('estate.group_id', \(UUIDv7.make().uuidString), true)")
                    try await tx.execute("""
                        INSERT INTO audit_heads (group_id, last_sequence, last_hash) VALUES (\(demo.id), 0, 'x')
                        """)
                }
            }
            #expect(refused?.sqlState == "42501")
        }
        await pool.close()
    }
}
