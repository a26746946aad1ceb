import EstateTestSupport
import Foundation
import EstateData
import EstateLogic
import PQ
import Testing

/// Runs the built `estate` executable as a user would.
@Suite("estate command")
struct CommandTests {
    static let binary: URL = {
        // The test bundle sits next to the executables in .build/<configuration>/.
        let bundle = Bundle.main.bundleURL
        for folder in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("estate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/estate")
    }()

    func run(_ arguments: [String], database: String?) async throws -> ProcessOutput {
        var environment = ["ESTATE_LOG_FORMAT": "text"]
        environment["ESTATE_DATABASE_URL"] = database ?? ""
        return try await runProcess(Self.binary.path, arguments, environment: environment)
    }

    @Test func migrateAppliesThenReportsUpToDate() async throws {
        let url = try await TestDatabase.empty()
        let first = try await run(["migrate"], database: url)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Applied"))
        let second = try await run(["migrate"], database: url)
        #expect(second.status == 0)
        #expect(second.output.contains("up to date"))
        let status = try await run(["migrate", "--status"], database: url)
        #expect(status.output.contains("applied  0001_"))
    }

    @Test func editedMigrationMakesMigrateFail() async throws {
        let url = try await TestDatabase.migrated()
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        try await pool.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = '0001'")
        await pool.close()
        let result = try await run(["migrate"], database: url)
        #expect(result.status != 0)
        #expect(result.output.contains("changed after it was applied"))
        let status = try await run(["migrate", "--status"], database: url)
        #expect(status.status != 0)
    }

    @Test func missingDatabaseURLIsAClearError() async throws {
        let result = try await run(["migrate"], database: nil)
        #expect(result.status != 0)
        #expect(result.output.contains("ESTATE_DATABASE_URL is not set"))
    }

    @Test func seedIsRepeatable() async throws {
        let url = try await TestDatabase.migrated()
        let first = try await run(["seed", "--demo"], database: url)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("created"))
        let second = try await run(["seed", "--demo"], database: url)
        #expect(second.output.contains("already present"))
        #expect(first.output.contains("Project 'riverside': 3 buildings, 408 rooms"))
        #expect(second.output.contains("Project 'riverside' already has its buildings"))
    }

    @Test func seedNeedsToBeToldWhat() async throws {
        let url = try await TestDatabase.migrated()
        let nothing = try await run(["seed"], database: url)
        #expect(nothing.status != 0)
        #expect(nothing.output.contains("--scale N"))
        let zero = try await run(["seed", "--scale", "0"], database: url)
        #expect(zero.status != 0)
    }

    @Test func scaleSeedAddsProjectsAfterTheExistingOnes() async throws {
        let url = try await TestDatabase.migrated()
        let first = try await run(["seed", "--scale", "2"], database: url)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Scale group 'scale' created; 2 project(s) added after 0: scale-p0001 … scale-p0002"))
        #expect(first.output.contains("Took "))
        let second = try await run(["seed", "--scale", "1", "--jobs", "1"], database: url)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("already present; 1 project(s) added after 2: scale-p0003"))
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        let projects = try await pool.query("""
            SELECT count(DISTINCT project_id) AS n FROM rooms r JOIN groups g ON g.id = r.group_id WHERE g.code = 'scale'
            """).firstRow?.decode("n", as: Int.self)
        await pool.close()
        #expect(projects == 3)
    }
}


@Suite("estate user create-admin")
struct CreateAdminTests {
    @Test func createsGroupAndAdministratorWhoCanSignIn() async throws {
        let url = try await TestDatabase.migrated()
        let environment = ["ESTATE_DATABASE_URL": url, "ESTATE_LOG_FORMAT": "text", "ESTATE_BCRYPT_COST": "4"]
        let weak = try await runProcess(CommandTests.binary.path, ["user", "create-admin", "--group", "acme", "--username", "root"],
                                        environment: environment.merging(["ESTATE_ADMIN_PASSWORD": "short"]) { $1 })
        #expect(weak.status == 1)
        #expect(weak.output.contains("password"))
        let made = try await runProcess(CommandTests.binary.path,
                                        ["user", "create-admin", "--group", "acme", "--group-name", "ACME Homes", "--username", "root"],
                                        environment: environment.merging(["ESTATE_ADMIN_PASSWORD": "correct horse battery"]) { $1 })
        #expect(made.status == 0, "\(made.output)")
        #expect(made.output.contains("Group 'acme' created"))
        let again = try await runProcess(CommandTests.binary.path, ["user", "create-admin", "--group", "acme", "--username", "root"],
                                         environment: environment.merging(["ESTATE_ADMIN_PASSWORD": "correct horse battery"]) { $1 })
        #expect(again.status == 1)
        #expect(again.output.contains("already called root"))
        let database = try TestDatabase.database(url: url)
        let session = try await database.login(groupCode: "acme", username: "root", password: "correct horse battery",
                                               settings: AuthenticationSettings(hasher: PasswordHasher(cost: 4)))
        #expect(session != nil)
        let caller = try await database.authenticate(token: try #require(session?.token))
        #expect(caller?.scope.holdsAnywhere(.adminUsers) == true)
        #expect(try await database.verifyAudit(groupCode: "acme").first?.firstBreak == nil)
        await database.close()
    }
}
