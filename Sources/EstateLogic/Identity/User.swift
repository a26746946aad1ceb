import Foundation

/// A person who signs in: belongs to one org unit of one group; what they may do comes from role grants.
public struct User: Sendable, Hashable, Codable {
    public var groupID: UUID
    public var id: UUID
    public var orgUnitID: UUID
    /// Lower-case login name, unique within the group.
    public var username: String
    public var displayName: String
    public var active: Bool
    /// Bumped by every change (the ETag of optimistic concurrency).
    public var version: Int

    public init(groupID: UUID, id: UUID, orgUnitID: UUID, username: String, displayName: String, active: Bool = true,
                version: Int = 1) {
        self.groupID = groupID
        self.id = id
        self.orgUnitID = orgUnitID
        self.username = username
        self.displayName = displayName
        self.active = active
        self.version = version
    }

    /// Checks a username and a display name; empty when both are fine (nil: not being set).
    public static func violations(username: String?, displayName: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let username {
            let valid = (2...63).contains(username.count)
                && username.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
                && username.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
            if !valid {
                result.append(FieldViolation(field: "username", message: "must be 2 to 63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit"))
            }
        }
        if let displayName {
            if displayName.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                result.append(FieldViolation(field: "displayName", message: "must not be blank"))
            } else if displayName.count > 200 {
                result.append(FieldViolation(field: "displayName", message: "must be at most 200 characters"))
            }
        }
        return result
    }

    /// The fields an audit entry records (never the password).
    public var auditFields: [String: String?] {
        ["username": username, "displayName": displayName, "orgUnitId": orgUnitID.uuidString.lowercased(),
         "active": String(active)]
    }
}
