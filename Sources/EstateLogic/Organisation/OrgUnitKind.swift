import Foundation

/// The kind of a node in a group's organisation tree: `group → region → city company → project`.
///
/// Regions may nest (a region can hold sub-regions); the group is the one root of each tenant's tree.
public enum OrgUnitKind: String, Sendable, Codable, CaseIterable {
    /// The developer group itself: the root, one per tenant.
    case group
    /// A geographical grouping of city companies; may contain further regions.
    case region
    /// The company that runs the group's business in one city.
    case cityCompany = "city_company"
    /// One development with its own sales office; a leaf of the tree.
    case project

    /// Whether a unit of this kind may have a direct child of the given kind.
    ///
    /// A group contains regions, city companies and projects; a region the same; a city company
    /// contains projects; a project contains nothing; nothing contains a group.
    public func canContain(_ child: OrgUnitKind) -> Bool {
        switch (self, child) {
        case (_, .group): false
        case (.group, _), (.region, _): true
        case (.cityCompany, .project): true
        case (.cityCompany, _), (.project, _): false
        }
    }

    /// Whether this kind is the root of a tree (only `group`).
    public var isRoot: Bool { self == .group }
}
