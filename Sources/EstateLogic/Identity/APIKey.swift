import Foundation

/// An integration partner's key: what it may do (a set of permissions at one unit and below), until when.
public struct APIKey: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var name: String
    public var orgUnitID: UUID
    public var permissions: Set<Permission>
    public var createdBy: UUID
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(groupID: UUID, id: UUID, name: String, orgUnitID: UUID, permissions: Set<Permission>, createdBy: UUID,
                createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.groupID = groupID
        self.id = id
        self.name = name
        self.orgUnitID = orgUnitID
        self.permissions = permissions
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Longest life of a key.
    public static let maximumLifetime: TimeInterval = 366 * 86_400

    /// Checks a new key: a name, known permissions that the creator itself holds at the unit
    /// (a key never gets more than its creator), and an expiry in the future within a year.
    public static func violations(name: String, permissions: [String], creatorHolds: Set<Permission>,
                                  expiresAt: Date, now: Date) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || name.count > 100 {
            result.append(FieldViolation(field: "name", message: "must be 1 to 100 characters, not blank"))
        }
        if permissions.isEmpty {
            result.append(FieldViolation(field: "permissions", message: "must name at least one permission"))
        }
        for (index, text) in permissions.enumerated() {
            let permission = Permission(rawValue: text)
            if !PermissionCatalogue.isKnown(permission) {
                result.append(FieldViolation(field: "permissions[\(index)]", message: "\(text) is not a permission"))
            } else if !creatorHolds.contains(permission) {
                result.append(FieldViolation(field: "permissions[\(index)]", message: "you do not hold \(text) there yourself"))
            }
        }
        if expiresAt <= now || expiresAt.timeIntervalSince(now) > maximumLifetime {
            result.append(FieldViolation(field: "expiresAt", message: "must be in the future and at most a year away"))
        }
        return result
    }
}
