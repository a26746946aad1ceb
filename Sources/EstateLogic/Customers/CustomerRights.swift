import Foundation

/// What a caller may do with one customer.
public enum CustomerRight: Sendable, Hashable, CaseIterable {
    /// See it, its timeline and opportunities.
    case read
    /// Edit it, record follow-ups, answers and opportunities.
    case write
    /// Share it and revoke shares: the owner, or a manager.
    case share
    /// Reassign it, approve a duplicate: a manager (`customers.assign`).
    case manage
}

/// A share of a customer with one user.
public enum ShareAccess: String, Sendable, Hashable, Codable, CaseIterable {
    /// Read-only.
    case read
    /// Collaborator: read and write.
    case write
}

/// How far `customers.read` reaches at a unit.
public enum CustomerReach: Sendable, Hashable {
    /// Every customer: managers (`customers.assign`) and back office (read without `customers.write`,
    /// e.g. cashiers, finance, management).
    case all
    /// A consultant's reach: own customers, customers shared with them, and the public pool.
    case own
}

extension AccessScope {
    /// How far the caller's `customers.read` reaches at a project (nil: not at all). Decided per
    /// grant, so that a consultant grant here and a back-office grant elsewhere do not mix.
    public func customerReach(groupID: UUID, unitPath: [UUID]) -> CustomerReach? {
        guard groupID == self.groupID else { return nil }
        let path = Set(unitPath)
        var reach: CustomerReach?
        for grant in grants where path.contains(grant.orgUnitID) && grant.permissions.contains(.customersRead) {
            if Self.reachesAll(grant) { return .all }
            reach = .own
        }
        return reach
    }

    /// The units under which the caller sees every customer, and those under which only a consultant's own.
    public var customerReachUnits: (all: Set<UUID>, own: Set<UUID>) {
        var all = Set<UUID>(), own = Set<UUID>()
        for grant in grants where grant.permissions.contains(.customersRead) {
            if Self.reachesAll(grant) { all.insert(grant.orgUnitID) } else { own.insert(grant.orgUnitID) }
        }
        return (all, own)
    }

    private static func reachesAll(_ grant: RoleGrant) -> Bool {
        grant.permissions.contains(.customersAssign) || !grant.permissions.contains(.customersWrite)
    }

    /// The caller's rights on a customer: `userID` is the caller (nil for an API key), `share` the
    /// customer's share with the caller if any. Empty: the customer is not visible (404).
    public func customerRights(groupID: UUID, projectPath: [UUID], userID: UUID?, ownerID: UUID?, share: ShareAccess?) -> Set<CustomerRight> {
        guard groupID == self.groupID else { return [] }
        let here = permissions(groupID: groupID, unitPath: projectPath)
        let isOwner = userID != nil && ownerID == userID
        var rights = Set<CustomerRight>()
        switch customerReach(groupID: groupID, unitPath: projectPath) {
        case .all:
            rights.insert(.read)
        case .own:
            if isOwner || share != nil || ownerID == nil { rights.insert(.read) }
        case nil:
            // A share reaches a user beyond their own projects, if they read customers somewhere.
            if share != nil && holdsAnywhere(.customersRead) { rights.insert(.read) }
        }
        guard rights.contains(.read) else { return [] }
        let writes = here.contains(.customersWrite) || (share == .write && holdsAnywhere(.customersWrite))
        if here.contains(.customersAssign) {
            rights.formUnion([.write, .share, .manage])
        } else if writes && (isOwner || share == .write) {
            rights.insert(.write)
            if isOwner { rights.insert(.share) }
        }
        return rights
    }
}
