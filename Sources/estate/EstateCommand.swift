import ArgumentParser
import EstateData
import EstateInterface
import EstateLogic
import Foundation
import Hummingbird
import Logging

@main
struct EstateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estate",
        abstract: "Estate: the property developer's sales back end.",
        subcommands: [Serve.self, Migrate.self, Seed.self, UserCommand.self, Audit.self],
        defaultSubcommand: Serve.self)
}

/// Loads settings and logging, or exits with a clear message.
func prepare() throws -> (Settings, Logger) {
    do {
        let settings = try Settings.fromEnvironment()
        settings.bootstrapLogging()
        return (settings, Logger(label: "estate"))
    } catch let invalid as Settings.Invalid {
        throw ValidationError(invalid.description)
    }
}

func openDatabase(_ settings: Settings, logger: Logger) throws -> Database {
    do {
        return try Database(configuration: try settings.databaseConfiguration(), logger: logger)
    } catch let invalid as Settings.Invalid {
        throw ValidationError(invalid.description)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API.")

    @Flag(name: .long, help: "Apply pending migrations before serving (also ESTATE_MIGRATE_ON_START=true).")
    var migrate = false

    func run() async throws {
        let (settings, logger) = try prepare()
        try EstateAPI.loadXMLContract()
        let database = try openDatabase(settings, logger: logger)
        if migrate || settings.migrateOnStart {
            let applied = try await database.migrate()
            logger.info("migrations applied", metadata: ["count": "\(applied.count)"])
        }
        let api = EstateAPI(database: database, configuration: settings.http, authentication: settings.authentication)
        let app = api.makeApplication(logger: logger)
        logger.info("Estate API listening", metadata: ["url": "http://\(settings.http.host):\(settings.http.port)"])
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, in order.")

    @Flag(name: .long, help: "Only show which migrations are applied and pending.")
    var status = false

    func run() async throws {
        let (settings, logger) = try prepare()
        let database = try openDatabase(settings, logger: logger)
        defer { Task { await database.close() } }
        do {
            if status {
                let current = try await database.migrationStatus()
                for name in current.applied { print("applied  \(name)") }
                for name in current.pending { print("pending  \(name)") }
                for problem in current.problems { print("PROBLEM  \(problem)") }
                await database.close()
                if !current.problems.isEmpty { throw ExitCode(1) }
                return
            }
            let applied = try await database.migrate()
            print(applied.isEmpty ? "Database is up to date." : "Applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
            await database.close()
        } catch let error as MigrationError {
            await database.close()
            printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as DataError {
            await database.close()
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load data into the database.",
        discussion: """
            --demo loads the demo group (users, org units, and the riverside project's buildings and rooms); \
            safe to repeat. --scale N adds N generated projects (about 2,100-3,200 rooms each) to the group \
            'scale', after the projects it already has; project n is the same on every run.
            """)

    @Flag(name: .long, help: "Load the demo data set (safe to repeat).")
    var demo = false

    @Option(name: .long, help: "Add this many generated projects to the group 'scale'.")
    var scale: Int?

    @Option(name: .long, help: "Projects written at once by --scale.")
    var jobs = 2

    func validate() throws {
        guard demo || scale != nil else { throw ValidationError("say what to load: --demo, --scale N, or both") }
        if let scale, !(1...10_000).contains(scale) { throw ValidationError("--scale must be between 1 and 10000") }
        guard (1...16).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 16") }
    }

    func run() async throws {
        let (settings, logger) = try prepare()
        let database = try openDatabase(settings, logger: logger)
        do {
            if demo { try await seedDemo(database, settings: settings) }
            if let scale { try await seedScale(database, projects: scale, settings: settings) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    func seedDemo(_ database: Database, settings: Settings) async throws {
        let summary = try await database.seedDemo(hasher: settings.passwordHasher)
        print("Demo group '\(summary.groupCode)' (\(summary.groupName)) \(summary.created ? "created" : "already present").")
        if let inventory = summary.inventory {
            print("Project '\(DemoData.inventoryProject)': \(inventory.buildings) buildings, \(describe(inventory)) created.")
        } else {
            print("Project '\(DemoData.inventoryProject)' already has its buildings.")
        }
        print("Demo users (password \(DemoData.password)), one per built-in role:")
        for user in summary.users {
            print("  \(user.username.padding(toLength: 30, withPad: " ", startingAt: 0)) \(user.role) at \(user.orgUnit)")
        }
        let base = "http://\(settings.http.host):\(settings.http.port)"
        print("""
            Sign in:
              curl -s -X POST \(base)/v1/auth/login -H 'Content-Type: application/json' \\
                -d '{"group":"\(summary.groupCode)","username":"system.administrator","password":"\(DemoData.password)"}'
            then send the token:  curl -s \(base)/v1/me -H "Authorization: Bearer <token>"
            """)
    }

    func seedScale(_ database: Database, projects: Int, settings: Settings) async throws {
        let summary = try await database.seedScale(projects: projects, parallelism: jobs, hasher: settings.passwordHasher)
        let inventory = summary.inventory
        let seconds = Double(summary.elapsed.components.seconds) + Double(summary.elapsed.components.attoseconds) / 1e18
        print("Scale group '\(summary.groupCode)' \(summary.groupCreated ? "created" : "already present"); "
              + "\(summary.projects.count) project(s) added after \(summary.projectsBefore): "
              + "\(summary.projects.first ?? "") … \(summary.projects.last ?? "").")
        print("  \(inventory.buildings) buildings, \(describe(inventory)), \(inventory.pricedRooms) priced, "
              + "\(inventory.statusChanges) status changes.")
        let customers = summary.customers
        print("  \(customers.customers) customers (\(customers.phones) phones, \(customers.followUps) follow-ups, \(customers.opportunities) opportunities) of \(customers.consultants) consultants "
              + "(\(summary.projects.first ?? "")-c01, ...; management: \(ScaleData.managementUser); password \(DemoData.password)).")
        let deals = summary.deals
        let stages = DealStage.allCases.compactMap { stage in deals.dealsByStage[stage].map { "\(stage.rawValue) \($0)" } }
        print("  \(deals.deals) deals (\(stages.joined(separator: ", "))) with \(deals.receivables) receivables, "
              + "\(deals.collections) collections and \(deals.receipts) receipts.")
        print("  Took \(String(format: "%.2f", seconds)) s (\(seconds > 0 ? Int(Double(inventory.rooms) / seconds) : 0) rooms/s).")
    }

    func describe(_ inventory: InventoryCounts) -> String {
        let statuses = RoomStatus.allCases.compactMap { status in
            inventory.roomsByStatus[status].map { "\(status.rawValue) \($0)" }
        }
        return "\(inventory.rooms) rooms (\(statuses.joined(separator: ", ")))"
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.",
                                                    subcommands: [CreateAdmin.self])

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create a group (if missing) and a system administrator at its root.",
            discussion: "The password is read from ESTATE_ADMIN_PASSWORD, or else from the first line of standard input.")

        @Option(name: .long, help: "The group's code (lower-case letters, digits, dashes).")
        var group: String

        @Option(name: .long, help: "The group's name, used when the group is created.")
        var groupName: String?

        @Option(name: .long, help: "The administrator's username.")
        var username: String = "admin"

        func run() async throws {
            let (settings, logger) = try prepare()
            let password = ProcessInfo.processInfo.environment["ESTATE_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
                ?? readLine(strippingNewline: true) ?? ""
            let database = try openDatabase(settings, logger: logger)
            do {
                let summary = try await database.createAdministrator(
                    groupCode: group, groupName: groupName ?? group, username: username, password: password,
                    hasher: settings.passwordHasher)
                await database.close()
                print("Group '\(summary.groupCode)' \(summary.groupCreated ? "created" : "already present"); "
                      + "administrator '\(summary.username)' created. Sign in with POST /v1/auth/login.")
            } catch let error as AdministrationError {
                await database.close()
                printError("error: \(error)")
                throw ExitCode(1)
            } catch let error as IdentityError {
                await database.close()
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Work with the audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every group's audit hash chain; exit 1 naming the first broken entry.")

        @Option(name: .long, help: "Only this group (its code).")
        var group: String?

        func run() async throws {
            let (settings, logger) = try prepare()
            let database = try openDatabase(settings, logger: logger)
            let results: [AuditVerification]
            do {
                results = try await database.verifyAudit(groupCode: group)
            } catch {
                await database.close()
                printError("error: the audit trail could not be read: \(error)")
                throw ExitCode(1)
            }
            await database.close()
            var broken = false
            for result in results {
                if let problem = result.firstBreak {
                    broken = true
                    print("BROKEN  group \(result.groupCode): \(problem)")
                } else {
                    print("ok      group \(result.groupCode): \(result.entries) entries, chain whole")
                }
            }
            if group != nil && results.isEmpty {
                printError("error: no group with code \(group ?? "")")
                throw ExitCode(1)
            }
            if broken { throw ExitCode(1) }
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
