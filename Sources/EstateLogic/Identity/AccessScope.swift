import Foundation

/// One role granted to a user (or an API key) at one organisation unit; it applies to that unit and
/// everything below it.
public struct RoleGrant: Sendable, Hashable, Codable {
    /// The role's code (built-in or custom).
    public let role: String
    /// The unit the role is granted at.
    public let orgUnitID: UUID
    /// The role's permissions, resolved when the grant was loaded.
    public let permissions: Set<Permission>

    /// A grant of `role` with `permissions` at `orgUnitID`.
    public init(role: String, orgUnitID: UUID, permissions: Set<Permission>) {
        self.role = role
        self.orgUnitID = orgUnitID
        self.permissions = permissions
    }

    /// A grant of a role definition at `orgUnitID`, carrying the role's permissions.
    public init(_ role: RoleDefinition, at orgUnitID: UUID) {
        self.init(role: role.code, orgUnitID: orgUnitID, permissions: role.permissions)
    }
}

/// The outcome of an authorization check, mapped by the HTTP layer to 2xx, 403 or 404.
public enum AccessDecision: Sendable, Hashable {
    /// The caller may act.
    case allowed
    /// The caller sees the object but lacks the permission (403).
    case forbidden
    /// The object is in another group or outside the caller's reach; its existence is not revealed (404).
    case notFound
}

/// Who may see and do what, where: the authorization rule of Estate, in one place.
///
/// A caller belongs to one group and holds role grants at units of that group's organisation tree. A
/// grant reaches its unit and every unit below it, never a sibling or an ancestor. Objects of another
/// group are never visible, whatever the grants.
public struct AccessScope: Sendable, Hashable {
    /// The caller's group (tenant).
    public let groupID: UUID
    /// The caller's role grants.
    public let grants: [RoleGrant]

    /// The scope of a caller of `groupID` holding `grants`.
    public init(groupID: UUID, grants: [RoleGrant]) {
        self.groupID = groupID
        self.grants = grants
    }

    /// The grants that apply to an object at the end of `unitPath` in group `groupID`.
    private func applicableGrants(groupID: UUID, unitPath: [UUID]) -> [RoleGrant] {
        guard groupID == self.groupID, !unitPath.isEmpty else { return [] }
        let path = Set(unitPath)
        return grants.filter { path.contains($0.orgUnitID) }
    }

    /// Whether an object at this unit is visible: some grant sits at the unit or one of its ancestors.
    /// `unitPath` is the chain from the group root down to the object's unit, inclusive.
    public func canSee(groupID: UUID, unitPath: [UUID]) -> Bool {
        !applicableGrants(groupID: groupID, unitPath: unitPath).isEmpty
    }

    /// Permissions that apply at that unit (union of the grants at the unit or above it).
    public func permissions(groupID: UUID, unitPath: [UUID]) -> Set<Permission> {
        applicableGrants(groupID: groupID, unitPath: unitPath)
            .reduce(into: Set<Permission>()) { $0.formUnion($1.permissions) }
    }

    /// The decision for acting on an object: notFound when it is in another group or not visible,
    /// forbidden when visible but the permission is missing, else allowed.
    public func decide(_ permission: Permission, groupID: UUID, unitPath: [UUID]) -> AccessDecision {
        let applicable = applicableGrants(groupID: groupID, unitPath: unitPath)
        if applicable.isEmpty { return .notFound }
        return applicable.contains { $0.permissions.contains(permission) } ? .allowed : .forbidden
    }

    /// Whether the permission is held anywhere (for collection routes; results are then filtered by visibility).
    public func holdsAnywhere(_ permission: Permission) -> Bool {
        grants.contains { $0.permissions.contains(permission) }
    }

    /// The units where the permission is granted (roots of the caller's reach for that permission).
    public func units(with permission: Permission) -> Set<UUID> {
        Set(grants.lazy.filter { $0.permissions.contains(permission) }.map(\.orgUnitID))
    }

    /// Every unit the caller holds a grant at (roots of what the caller can see).
    public var reachableUnits: Set<UUID> {
        Set(grants.map(\.orgUnitID))
    }
}
