import Foundation

/// A node of a group's organisation tree: the group itself, a region, a city company or a project.
public struct OrgUnit: Sendable, Hashable, Codable {
    public var groupID: UUID
    public var id: UUID
    /// nil only for the group's root unit.
    public var parentID: UUID?
    public var kind: OrgUnitKind
    public var code: String
    public var name: String
    public var active: Bool
    /// Ids from the root unit down to this one, inclusive (what scope checks work on).
    public var path: [UUID]

    public init(groupID: UUID, id: UUID, parentID: UUID?, kind: OrgUnitKind, code: String, name: String,
                active: Bool = true, path: [UUID]) {
        self.groupID = groupID
        self.id = id
        self.parentID = parentID
        self.kind = kind
        self.code = code
        self.name = name
        self.active = active
        self.path = path
    }

    /// A new child of `parent`; nil when `parent` cannot contain that kind.
    public static func child(of parent: OrgUnit, id: UUID, kind: OrgUnitKind, code: String, name: String) -> OrgUnit? {
        guard parent.kind.canContain(kind) else { return nil }
        return OrgUnit(groupID: parent.groupID, id: id, parentID: parent.id, kind: kind, code: code, name: name,
                       path: parent.path + [id])
    }

    /// The root unit of a group.
    public static func root(of group: Group, id: UUID) -> OrgUnit {
        OrgUnit(groupID: group.id, id: id, parentID: nil, kind: .group, code: group.code, name: group.name, path: [id])
    }
}
