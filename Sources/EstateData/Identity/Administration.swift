import EstateLogic
import Foundation

/// What `estate user create-admin` did.
public struct AdminSummary: Sendable {
    public let groupCode: String
    public let groupCreated: Bool
    public let username: String
}

extension Database {
    /// For a real deployment's first start: creates the group (with its root unit) if it is missing
    /// and a system administrator at its root. Audited as the system.
    public func createAdministrator(groupCode: String, groupName: String, username: String, password: String,
                                    hasher: PasswordHasher) async throws -> AdminSummary {
        let username = username.lowercased()
        var violations = User.violations(username: username, displayName: nil)
            + PasswordPolicy.standard.violations(of: password, username: username)
        violations += OrgUnit.violations(code: groupCode, name: groupName)
        guard violations.isEmpty else { throw AdministrationError.invalid(violations) }
        let hash = try await hasher.hash(password)
        return try await unitOfWork { work in
            let created = try await work.groups.insertIfMissing(Group(id: UUIDv7.make(), code: groupCode, name: groupName))
            guard let group = try await work.groups.find(code: groupCode) else {
                throw DataError.internalFailure("group \(groupCode) vanished")
            }
            let root: OrgUnit
            if let existing = try await work.orgUnits.find(groupID: group.id, code: group.code) {
                root = existing
            } else {
                root = OrgUnit.root(of: group, id: UUIDv7.make())
                try await work.orgUnits.insert(root)
            }
            try await work.dictionaries.insertDefaults(groupID: group.id)
            let user = User(groupID: group.id, id: UUIDv7.make(), orgUnitID: root.id, username: username,
                            displayName: "System administrator")
            try await work.users.insert(user, passwordHash: hash)
            _ = try await work.roles.grant("system_administrator", userID: user.id, orgUnitID: root.id, groupID: group.id)
            try await work.audit.append(
                AuditEvent(actor: .system, action: "user.create_admin", objectType: "user", objectID: user.id,
                           orgUnitID: root.id, changes: AuditChange.diff(before: [:], after: user.auditFields), requestID: nil),
                groupID: group.id)
            return AdminSummary(groupCode: group.code, groupCreated: created, username: username)
        }
    }
}

/// Why an administrative command refused its input.
public enum AdministrationError: Error, Sendable, CustomStringConvertible {
    case invalid([FieldViolation])

    public var description: String {
        switch self {
        case .invalid(let violations): violations.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
        }
    }
}
