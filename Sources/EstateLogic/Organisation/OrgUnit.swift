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
    /// Bumped by every change (the ETag of optimistic concurrency).
    public var version: Int

    public init(groupID: UUID, id: UUID, parentID: UUID?, kind: OrgUnitKind, code: String, name: String,
                active: Bool = true, path: [UUID], version: Int = 1) {
        self.groupID = groupID
        self.id = id
        self.parentID = parentID
        self.kind = kind
        self.code = code
        self.name = name
        self.active = active
        self.path = path
        self.version = version
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

/// Why a change to the organisation tree is refused.
public enum OrganisationError: Error, Sendable, Hashable {
    /// A unit of this kind cannot sit under a unit of that kind.
    case kindNotAllowed(parent: OrgUnitKind, child: OrgUnitKind)
    /// A unit cannot move under itself or one of its descendants.
    case moveIntoOwnSubtree
    /// The group's root unit cannot be moved or deactivated.
    case rootIsFixed
    /// A unit with active children cannot be deactivated.
    case hasActiveChildren
    /// Another unit of the group already has this code.
    case codeTaken(String)
}

extension OrgUnit {
    /// Checks a code and a name for a unit; empty when both are fine.
    public static func violations(code: String?, name: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let code {
            let valid = (2...63).contains(code.count) && code.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
                && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            if !valid {
                result.append(FieldViolation(field: "code", message: "must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit"))
            }
        }
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { result.append(FieldViolation(field: "name", message: "must not be blank")) }
            if name.count > 200 { result.append(FieldViolation(field: "name", message: "must be at most 200 characters")) }
        }
        return result
    }

    /// Where this unit and its subtree go when moved under `parent`, or why it cannot move.
    public func checkMove(under parent: OrgUnit) throws(OrganisationError) {
        guard parentID != nil else { throw .rootIsFixed }
        guard !parent.path.contains(id) else { throw .moveIntoOwnSubtree }
        guard parent.kind.canContain(kind) else { throw .kindNotAllowed(parent: parent.kind, child: kind) }
    }

    /// The fields an audit entry records.
    public var auditFields: [String: String?] {
        ["code": code, "name": name, "kind": kind.rawValue, "active": String(active),
         "parentId": parentID?.uuidString.lowercased()]
    }
}
