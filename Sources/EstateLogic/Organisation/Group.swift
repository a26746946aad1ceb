import Foundation

/// A developer group: the tenant that owns all business data (regions, companies, projects below it).
public struct Group: Sendable, Hashable, Codable {
    public var id: UUID
    /// Short stable code, lower-case letters, digits and dashes (e.g. `demo`).
    public var code: String
    public var name: String
    public var active: Bool

    public init(id: UUID, code: String, name: String, active: Bool = true) {
        self.id = id
        self.code = code
        self.name = name
        self.active = active
    }
}
