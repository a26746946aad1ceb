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

    public init(groupID: UUID, id: UUID, orgUnitID: UUID, username: String, displayName: String, active: Bool = true) {
        self.groupID = groupID
        self.id = id
        self.orgUnitID = orgUnitID
        self.username = username
        self.displayName = displayName
        self.active = active
    }
}
