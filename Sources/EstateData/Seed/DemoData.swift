import EstateLogic
import Foundation
import PQ

/// What `estate seed --demo` did.
public struct DemoSummary: Sendable {
    public var groupCode: String
    public var groupName: String
    public var created: Bool
    /// Username, role and org unit of each demo user (all share ``DemoData/password``).
    public var users: [(username: String, role: String, orgUnit: String)]
    /// What was written into the project `riverside`; nil when its buildings were already there.
    public var inventory: InventoryCounts?
}

/// The demo data set of `make run`: one group with a region, a city company and two projects,
/// one user per built-in role at the level the role belongs to, and the project `riverside`'s
/// inventory: towers `t1` (30 floors × 2 entrances × 4 apartments) and `t2` (18 × 2 × 3, shops
/// on floor 1) and the basement parking `p1` (60 spaces priced per unit, every tenth on shared
/// land), priced by a published price list version 1, in a realistic mix of sales statuses.
public enum DemoData {
    /// Every demo user's password (demo data only; never in a real deployment).
    public static let password = "demo-password-2026"
    public static let groupCode = "demo"
    /// The project that gets buildings and rooms.
    public static let inventoryProject = "riverside"

    static let riverside = ProjectPlan(
        towers: [
            TowerPlan(code: "t1", name: "Tower 1", floors: 30, entrances: 2, roomsPerEntrance: 4, shopsOnGroundFloor: false,
                      baseUnitPrice: 58_000, unreleasedFromFloor: 27,
                      mix: StatusMix(held: 20, reserved: 30, subscribed: 50, contracted: 150)),
            TowerPlan(code: "t2", name: "Tower 2", floors: 18, entrances: 2, roomsPerEntrance: 3, shopsOnGroundFloor: true,
                      baseUnitPrice: 56_000, unreleasedFromFloor: nil,
                      mix: StatusMix(held: 20, reserved: 40, subscribed: 60, contracted: 250)),
        ],
        parking: [
            ParkingPlan(code: "p1", name: "Basement Parking P1", floor: -1, spaces: 60, sharedLandEvery: 10,
                        price: 180_000...260_000, unreleased: 100,
                        mix: StatusMix(held: 0, reserved: 20, subscribed: 30, contracted: 200)),
        ],
        baseUnitPrice: 58_000, seed: 2026)
}

extension Database {
    /// Creates the demo data set where it is missing; safe to repeat. Without `inventory`, only the
    /// organisation, dictionaries and users (tests that build their own inventory use this).
    public func seedDemo(hasher: PasswordHasher = PasswordHasher(), inventory withInventory: Bool = true) async throws -> DemoSummary {
        let passwordHash = try await hasher.hash(DemoData.password)
        return try await unitOfWork { work in
            try await work.lockSeeding()
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
            var inventory: InventoryCounts?
            if withInventory, try await work.buildingCount(groupID: stored.id, projectID: riverside.id) == 0 {
                var generator = InventoryGenerator(groupID: stored.id, projectID: riverside.id, seed: DemoData.riverside.seed)
                let project = generator.project(DemoData.riverside)
                inventory = try await work.load(project, groupID: stored.id, projectID: riverside.id,
                                                publishedAt: generator.publishedAt)
            }
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
            return DemoSummary(groupCode: stored.code, groupName: stored.name, created: created, users: users,
                               inventory: inventory)
        }
    }
}

extension UnitOfWork {
    /// Serialises seeding runs (demo and scale) until the transaction ends.
    func lockSeeding() async throws {
        _ = try await transaction.query("SELECT pg_advisory_xact_lock(hashtext('estate.seed'))")
    }

    func buildingCount(groupID: UUID, projectID: UUID) async throws -> Int {
        try await transaction.query("SELECT count(*) AS n FROM buildings WHERE group_id = \(groupID) AND project_id = \(projectID)")
            .firstRow?.decode("n") ?? 0
    }
}
