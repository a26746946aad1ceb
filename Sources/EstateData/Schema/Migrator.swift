import Foundation
import Logging
import PQ

/// Applies migrations: each in its own transaction, recorded with its checksum in `schema_migrations`.
/// Concurrent migrators (several API nodes starting at once) wait on an advisory lock.
struct Migrator {
    let pool: PQPool
    let migrations: [Migration]
    let logger: Logger

    /// Arbitrary constant key for `pg_advisory_lock`: "estate" in ASCII.
    static let lockKey: Int64 = 0x6573_7461_7465

    static let historyTable: SQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    text        PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    struct Applied {
        let version: String
        let name: String
        let checksum: String
    }

    func status() async throws -> MigrationStatus {
        try await pool.withConnection { connection in
            try await status(appliedRows: try await applied(on: connection))
        }
    }

    private func applied(on connection: PQConnection) async throws -> [Applied] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.firstRow?.decode("present", as: Bool.self) == true else { return [] }
        return try await connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version").map {
            Applied(version: try $0.decode("version"), name: try $0.decode("name"), checksum: try $0.decode("checksum"))
        }
    }

    private func status(appliedRows: [Applied]) async throws -> MigrationStatus {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        let appliedVersions = Set(appliedRows.map(\.version))
        var problems: [MigrationError] = []
        for row in appliedRows {
            guard let migration = known[row.version] else {
                problems.append(.unknownApplied(version: row.version, name: row.name))
                continue
            }
            if migration.checksum != row.checksum {
                problems.append(.checksumMismatch(name: migration.name, applied: row.checksum, file: migration.checksum))
            }
        }
        return MigrationStatus(applied: appliedRows.map(\.name),
                               pending: migrations.filter { !appliedVersions.contains($0.version) }.map(\.name),
                               problems: problems)
    }

    /// Applies what is pending; returns the names applied. Refuses to run when the history has problems.
    func migrate() async throws -> [String] {
        try await pool.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let result = try await applyPending(on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func applyPending(on connection: PQConnection) async throws -> [String] {
        try await connection.execute(Self.historyTable)
        let current = try await status(appliedRows: try await applied(on: connection))
        if let problem = current.problems.first { throw problem }
        var done: [String] = []
        for migration in migrations where current.pending.contains(migration.name) {
            do {
                try await connection.transaction { tx in
                    try await tx.connection.executeScript(migration.sql)
                    try await tx.execute("""
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """)
                }
            } catch let error as PQError {
                throw MigrationError.failed(name: migration.name, message: error.message)
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            done.append(migration.name)
        }
        return done
    }
}
