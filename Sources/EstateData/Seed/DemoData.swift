import EstateLogic
import Foundation

/// What `estate seed --demo` did.
public struct DemoSummary: Sendable {
    public var groupCode: String
    public var groupName: String
    public var created: Bool
    /// Username, role and org unit of each demo user (all share ``DemoData/password``).
    public var users: [(username: String, role: String, orgUnit: String)]
}

/// The demo data set of `make run`: one group with a region, a city company and two projects,
/// and one user per built-in role at the level the role belongs to.
public enum DemoData {
    /// Every demo user's password (demo data only; never in a real deployment).
    public static let password = "demo-password-2026"
    public static let groupCode = "demo"
}

extension Database {
    /// Creates the demo data set where it is missing; safe to repeat.
    public func seedDemo(hasher: PasswordHasher = PasswordHasher()) async throws -> DemoSummary {
        let passwordHash = try await hasher.hash(DemoData.password)
        return try await unitOfWork { work in
            let group = Group(id: UUIDv7.make(), code: DemoData.groupCode, name: "Demo Property Group")
            let created = try await work.groups.insertIfMissing(group)
            guard let stored = try await work.groups.find(code: group.code) else {
                throw DataError.internalFailure("demo group vanished")
            }
            // The tree, found or made by code.
            func unit(_ code: String, _ name: String, _ kind: OrgUnitKind, under parent: OrgUnit?) async throws -> OrgUnit {
                if let existing = try await work.orgUnits.find(groupID: stored.id, code: code) { return existing }
                let made = parent.flatMap { OrgUnit.child(of: $0, id: UUIDv7.make(), kind: kind, code: code, name: name) }
                    ?? OrgUnit.root(of: stored, id: UUIDv7.make())
                try await work.orgUnits.insert(made)
                return made
            }
            let root = try await unit(stored.code, stored.name, .group, under: nil)
            try await work.dictionaries.insertDefaults(groupID: stored.id)
            let region = try await unit("east", "East China Region", .region, under: root)
            let city = try await unit("shanghai", "Shanghai City Company", .cityCompany, under: region)
            let riverside = try await unit("riverside", "Riverside Garden", .project, under: city)
            _ = try await unit("lakeside", "Lakeside Towers", .project, under: city)
            let placeFor: [OrgUnitKind: OrgUnit] = [.group: root, .region: region, .cityCompany: city, .project: riverside]

            var users: [(String, String, String)] = []
            for role in BuiltInRoles.all {
                let place = placeFor[role.level] ?? root
                let username = role.code.replacingOccurrences(of: "_", with: ".")
                let user = User(groupID: stored.id, id: UUIDv7.make(), orgUnitID: place.id, username: username,
                                displayName: role.name)
                let existing = try await work.users.credentials(groupCode: stored.code, username: username)?.user
                if existing == nil { try await work.users.insert(user, passwordHash: passwordHash) }
                _ = try await work.roles.grant(role.code, userID: (existing ?? user).id, orgUnitID: place.id, groupID: stored.id)
                users.append((username, role.code, place.code))
            }
            return DemoSummary(groupCode: stored.code, groupName: stored.name, created: created, users: users)
        }
    }
}
