import EstateLogic
import Foundation
import PQ

/// Dictionary entries of a group.
public struct DictionaryRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = "group_id, dictionary, code, id, label, active, sort_order, version"

    static func decode(_ row: PQRow) throws -> DictionaryEntry {
        let name: String = try row.decode("dictionary")
        guard let dictionary = DictionaryName(rawValue: name) else { throw DataError.internalFailure("unknown dictionary \(name)") }
        return DictionaryEntry(groupID: try row.decode("group_id"), dictionary: dictionary, code: try row.decode("code"),
                               id: try row.decode("id"), label: try row.decode("label"), active: try row.decode("active"),
                               sortOrder: try row.decode("sort_order", as: Int32.self).asInt, version: try row.decode("version"))
    }

    public func entries(groupID: UUID, dictionary: DictionaryName) async throws -> [DictionaryEntry] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM dictionary_entries WHERE group_id = \(groupID) AND dictionary = \(dictionary.rawValue)
            ORDER BY sort_order, code
            """).map(Self.decode)
    }

    public func find(groupID: UUID, dictionary: DictionaryName, code: String, lock: Bool = false) async throws -> DictionaryEntry? {
        let locking: SQL = lock ? "FOR UPDATE" : ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM dictionary_entries
            WHERE group_id = \(groupID) AND dictionary = \(dictionary.rawValue) AND code = \(code) \(locking)
            """).firstRow.map(Self.decode)
    }

    /// Adds an entry; `ifMissing` skips an existing code instead of failing.
    @discardableResult
    public func insert(_ entry: DictionaryEntry, ifMissing: Bool = false) async throws -> Bool {
        let conflict: SQL = ifMissing ? "ON CONFLICT (group_id, dictionary, code) DO NOTHING" : ""
        do {
            return try await transaction.execute("""
                INSERT INTO dictionary_entries (group_id, dictionary, code, id, label, active, sort_order)
                VALUES (\(entry.groupID), \(entry.dictionary.rawValue), \(entry.code), \(entry.id), \(entry.label), \(entry.active),
                        \(Int32(clamping: entry.sortOrder))) \(conflict)
                """) == 1
        } catch let error as PQError where error.isUniqueViolation {
            throw DictionaryError.codeTaken(entry.code)
        }
    }

    /// Adds every dictionary's default entries that the group does not have yet.
    public func insertDefaults(groupID: UUID) async throws {
        for dictionary in DictionaryName.allCases {
            for (order, value) in dictionary.defaults.enumerated() {
                try await insert(DictionaryEntry(groupID: groupID, dictionary: dictionary, code: value.code, id: UUIDv7.make(),
                                                 label: value.label, sortOrder: (order + 1) * 10), ifMissing: true)
            }
        }
    }

    /// Stores a changed label, active flag or order of an entry read at `entry.version`.
    public func update(_ entry: DictionaryEntry) async throws -> DictionaryEntry {
        guard let row = try await transaction.query("""
            UPDATE dictionary_entries SET label = \(entry.label), active = \(entry.active),
                   sort_order = \(Int32(clamping: entry.sortOrder)), version = version + 1, updated_at = now()
            WHERE group_id = \(entry.groupID) AND dictionary = \(entry.dictionary.rawValue) AND code = \(entry.code)
              AND version = \(entry.version)
            RETURNING \(Self.columns)
            """).firstRow else {
            throw VersionConflict(object: "entry", current: entry.version)
        }
        return try Self.decode(row)
    }
}

extension Int32 {
    var asInt: Int { Int(self) }
}

extension UnitOfWork {
    public var dictionaries: DictionaryRepository { DictionaryRepository(transaction: transaction) }
}

extension OrgUnitRepository {
    /// The group's root unit.
    public func root(groupID: UUID) async throws -> OrgUnit? {
        try await transaction.query("SELECT \(Self.columns) FROM org_units WHERE group_id = \(groupID) AND parent_id IS NULL")
            .firstRow.map(Self.decode)
    }
}
