import Foundation

/// One schema migration: a plain SQL file `NNNN_name.sql`, applied once, in order, in a transaction.
public struct Migration: Sendable, Hashable {
    /// The numeric prefix, e.g. `0001`; migrations apply in this order.
    public let version: String
    /// The file name.
    public let name: String
    public let sql: String
    /// SHA-256 of the file, hex; an applied migration whose file changed is an error.
    public let checksum: String

    public init(name: String, sql: String) throws(MigrationError) {
        guard name.hasSuffix(".sql"), let underscore = name.firstIndex(of: "_"),
              !name[..<underscore].isEmpty, name[..<underscore].allSatisfy(\.isASCII),
              name[..<underscore].allSatisfy(\.isNumber) else {
            throw .badFileName(name)
        }
        self.version = String(name[..<underscore])
        self.name = name
        self.sql = sql
        self.checksum = SHA256Hex.of(sql)
    }

    /// The migrations shipped with Estate (`Sources/EstateData/Migrations`).
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.missingDirectory("Migrations resource bundle")
        }
        return try load(from: directory)
    }

    /// Every `*.sql` file of a folder, ordered by version; duplicate versions are an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
        var migrations = try names.map { name in
            try Migration(name: name, sql: String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
        }
        migrations.sort { (Int($0.version) ?? 0, $0.name) < (Int($1.version) ?? 0, $1.name) }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where Int(previous.version) == Int(next.version) {
            throw MigrationError.duplicateVersion(previous.name, next.name)
        }
        return migrations
    }
}

/// Why migrations cannot run, or what is wrong with the database's schema history.
public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case badFileName(String)
    case missingDirectory(String)
    case duplicateVersion(String, String)
    /// An applied migration's file was edited after it was applied.
    case checksumMismatch(name: String, applied: String, file: String)
    /// The database has a migration this build does not know (it is newer than the code).
    case unknownApplied(version: String, name: String)
    /// A migration's SQL failed; nothing of it was applied.
    case failed(name: String, message: String)

    public var description: String {
        switch self {
        case .badFileName(let name): "migration file \(name) is not named NNNN_description.sql"
        case .missingDirectory(let what): "migrations not found: \(what)"
        case .duplicateVersion(let a, let b): "migrations \(a) and \(b) have the same version"
        case .checksumMismatch(let name, let applied, let file):
            "migration \(name) was changed after it was applied (applied checksum \(applied.prefix(12)), file \(file.prefix(12))); add a new migration instead"
        case .unknownApplied(let version, let name):
            "the database has migration \(version) (\(name)) that this build does not have"
        case .failed(let name, let message): "migration \(name) failed: \(message)"
        }
    }
}

/// Where the database's schema stands against the migrations of this build.
public struct MigrationStatus: Sendable, Hashable {
    public var applied: [String]
    public var pending: [String]
    public var problems: [MigrationError]
    /// All migrations applied, unchanged, and none unknown.
    public var isCurrent: Bool { pending.isEmpty && problems.isEmpty }
}
