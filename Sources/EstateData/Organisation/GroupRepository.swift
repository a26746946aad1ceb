import EstateLogic
import Foundation
import PQ

/// Groups (tenants).
public struct GroupRepository: Sendable {
    let transaction: PQTransaction

    /// Inserts the group unless one with its code exists; returns whether it was inserted.
    public func insertIfMissing(_ group: Group) async throws -> Bool {
        try await transaction.execute("""
            INSERT INTO groups (id, code, name, active) VALUES (\(group.id), \(group.code), \(group.name), \(group.active))
            ON CONFLICT (code) DO NOTHING
            """) == 1
    }

    /// The group with this code, if any.
    public func find(code: String) async throws -> Group? {
        try await transaction.query("SELECT id, code, name, active FROM groups WHERE code = \(code)").firstRow.map {
            Group(id: try $0.decode("id"), code: try $0.decode("code"), name: try $0.decode("name"), active: try $0.decode("active"))
        }
    }
}

extension UnitOfWork {
    public var groups: GroupRepository { GroupRepository(transaction: transaction) }
}

extension GroupRepository {
    /// The group's time zone (what "today" means for its follow-ups and tasks); UTC if the stored name is unknown.
    public func timeZone(groupID: UUID) async throws -> TimeZone {
        let name: String? = try await transaction.query("SELECT time_zone FROM groups WHERE id = \(groupID)").firstRow?.decode("time_zone")
        return name.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }
}
