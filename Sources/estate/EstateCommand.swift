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
    static let configuration = CommandConfiguration(abstract: "Load data into the database.")

    @Flag(name: .long, help: "Load the demo data set (safe to repeat).")
    var demo = false

    func validate() throws {
        guard demo else { throw ValidationError("say what to load: --demo") }
    }

    func run() async throws {
        let (settings, logger) = try prepare()
        let database = try openDatabase(settings, logger: logger)
        let summary = try await database.seedDemo(hasher: settings.passwordHasher)
        await database.close()
        print("Demo group '\(summary.groupCode)' (\(summary.groupName)) \(summary.created ? "created" : "already present").")
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
