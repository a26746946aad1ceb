import EstateLogic
import Foundation
import PQ

/// What `estate seed --scale N` did.
public struct ScaleSummary: Sendable {
    public var groupCode: String
    public var groupCreated: Bool
    /// Codes of the projects made by this run, in order.
    public var projects: [String]
    /// Projects of the scale group before this run.
    public var projectsBefore: Int
    public var inventory: InventoryCounts
    public var customers: CustomerCounts
    public var deals: DealCounts
    public var elapsed: Duration
}

/// A large group for trying the system at scale (DOMAIN.md, "Scale to plan for"): group `scale`
/// with regions of ten city companies, each city company holding four projects (so 200 projects
/// make the 50 cities of a large group), each project 4–10 towers of 18–33 floors × 2–4
/// entrances × 2–4 rooms plus underground parking, about 2,100–3,200 rooms a project.
///
/// Project `n` (code `scale-p0001`, ...) is the same on every run and machine: its plan and
/// rooms come from a generator seeded with `n`. A run adds projects after the existing ones, so
/// `--scale 2` twice makes the same four projects as `--scale 4` once.
public enum ScaleData {
    public static let groupCode = "scale"
    /// The scale group's management user (password as the demo's); each project's consultants are `<project code>-c01`, ...
    public static let managementUser = "scale.management"
    public static let projectsPerCity = 4
    public static let citiesPerRegion = 10

    static let cities = [
        "Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hangzhou", "Nanjing", "Suzhou", "Chengdu", "Wuhan", "Xi'an",
        "Chongqing", "Tianjin", "Qingdao", "Xiamen", "Ningbo", "Changsha", "Zhengzhou", "Hefei", "Fuzhou", "Jinan",
        "Dalian", "Shenyang", "Kunming", "Nanning", "Harbin", "Changchun", "Shijiazhuang", "Taiyuan", "Nanchang", "Guiyang",
        "Lanzhou", "Hohhot", "Urumqi", "Haikou", "Sanya", "Wuxi", "Changzhou", "Foshan", "Dongguan", "Zhuhai",
        "Wenzhou", "Shaoxing", "Jiaxing", "Yantai", "Weifang", "Xuzhou", "Yangzhou", "Nantong", "Quanzhou", "Zhongshan",
    ]
    static let regions = ["East", "North", "South", "West", "Central"]
    static let nameStarts = ["Jade", "Golden", "Riverside", "Lakeview", "Parkside", "Harbour", "Maple", "Pearl", "Cloud",
                             "Bamboo", "Lotus", "Crescent", "Summit", "Willow", "Orchid", "Phoenix"]
    static let nameEnds = ["Garden", "Towers", "Residences", "Court", "Bay", "Heights", "Mansion", "Park", "Place", "Square"]

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    public static func projectCode(_ index: Int) -> String { "scale-p\(padded(index, 4))" }
    static func cityIndex(project index: Int) -> Int { (index - 1) / projectsPerCity + 1 }
    static func regionIndex(city index: Int) -> Int { (index - 1) / citiesPerRegion + 1 }
    static func cityCode(_ index: Int) -> String { "scale-c\(padded(index, 3))" }
    static func regionCode(_ index: Int) -> String { "scale-r\(padded(index, 2))" }

    static func cityName(_ index: Int) -> String {
        let round = (index - 1) / cities.count
        return cities[(index - 1) % cities.count] + (round > 0 ? " \(round + 1)" : "") + " City Company"
    }

    static func regionName(_ index: Int) -> String {
        let round = (index - 1) / regions.count
        return regions[(index - 1) % regions.count] + (round > 0 ? " \(round + 1)" : "") + " Region"
    }

    /// Project `index`'s name and inventory plan (deterministic).
    static func plan(project index: Int) -> (name: String, plan: ProjectPlan) {
        var random = SeedRandom(seed: 0x5CA1_E000_0000_0000 &+ UInt64(index))
        let name = "\(random.pick(nameStarts)) \(random.pick(nameEnds)) \(index)"
        let base = random.int64(24...130) * 500  // 12,000–65,000 yuan per m²
        let target = random.int(1_800...2_400)
        var towers: [TowerPlan] = []
        var apartments = 0
        while (apartments < target || towers.count < 4) && towers.count < 10 {
            let number = towers.count + 1
            let floors = random.int(18...33)
            let unreleased: Int? = random.chance(150) ? 1 : random.chance(400) ? floors - random.int(0...2) : nil
            let tower = TowerPlan(
                code: "t\(number)", name: "Tower \(number)", floors: floors, entrances: random.int(2...4),
                roomsPerEntrance: random.int(2...4), shopsOnGroundFloor: random.chance(300),
                baseUnitPrice: base + random.int64(-20...20) * 100, unreleasedFromFloor: unreleased,
                mix: StatusMix(held: 15, reserved: 30, subscribed: 60, contracted: random.int(150...450)))
            towers.append(tower)
            apartments += tower.roomCount
        }
        // About one space for four apartments, at most 400 a basement floor.
        let spaces = max(60, apartments / 4)
        let levels = (spaces + 399) / 400
        let parking = (1...levels).map { level in
            ParkingPlan(code: "p\(level)", name: "Basement Parking B\(level)", floor: -level,
                        spaces: spaces / levels + (level <= spaces % levels ? 1 : 0), sharedLandEvery: 20,
                        price: (base * 4)...(base * 6), unreleased: 150,
                        mix: StatusMix(held: 0, reserved: 20, subscribed: 30, contracted: 250))
        }
        return (name, ProjectPlan(towers: towers, parking: parking, baseUnitPrice: base, seed: 0x5EED_0000 &+ UInt64(index)))
    }
}

extension Database {
    /// Adds `count` projects to the scale group (made if missing) after its existing ones, each
    /// with its inventory, written in bulk (COPY) in one transaction per project; `parallelism`
    /// projects at a time. Concurrent seeding runs wait for each other.
    public func seedScale(projects count: Int, parallelism: Int = 2, hasher: PasswordHasher = PasswordHasher()) async throws -> ScaleSummary {
        precondition(count >= 1, "seed at least one project")
        let start = ContinuousClock.now
        let passwordHash = try await hasher.hash(DemoData.password)
        // One transaction holds the seeding lock for the whole run; the work happens in others.
        return try await unitOfWork { lock in
            try await lock.lockSeeding()
            let (groupID, created, existing, cities) = try await unitOfWork { work in
                try await work.prepareScaleGroup(adding: count, passwordHash: passwordHash)
            }
            let indices = Array((existing + 1)...(existing + count))
            let (inventory, customers, deals) = try await withThrowingTaskGroup(of: (InventoryCounts, CustomerCounts, DealCounts).self) { tasks in
                var pending = indices[...]
                var running = 0
                var total = (InventoryCounts(), CustomerCounts(), DealCounts())
                while true {
                    while running < max(1, parallelism), let index = pending.popFirst() {
                        guard let city = cities[ScaleData.cityIndex(project: index)] else {
                            throw DataError.internalFailure("no city company for project \(index)")
                        }
                        tasks.addTask { try await self.seedScaleProject(index, groupID: groupID, city: city, passwordHash: passwordHash) }
                        running += 1
                    }
                    guard let counts = try await tasks.next() else { break }
                    running -= 1
                    total = (total.0 + counts.0, total.1 + counts.1, total.2 + counts.2)
                }
                return total
            }
            return ScaleSummary(groupCode: ScaleData.groupCode, groupCreated: created, projects: indices.map(ScaleData.projectCode),
                                projectsBefore: existing, inventory: inventory, customers: customers, deals: deals,
                                elapsed: ContinuousClock.now - start)
        }
    }

    private func seedScaleProject(_ index: Int, groupID: UUID, city: OrgUnit, passwordHash: String) async throws -> (InventoryCounts, CustomerCounts, DealCounts) {
        let (name, plan) = ScaleData.plan(project: index)
        var generator = InventoryGenerator(groupID: groupID, projectID: UUIDv7.make(), seed: plan.seed)
        let project = generator.project(plan)
        guard let unit = OrgUnit.child(of: city, id: generator.projectID, kind: .project,
                                       code: ScaleData.projectCode(index), name: name) else {
            throw DataError.internalFailure("a city company cannot hold a project")
        }
        let publishedAt = generator.publishedAt, now = generator.now
        return try await unitOfWork { work in
            try await work.orgUnits.insert(unit)
            let inventory = try await work.load(project, groupID: groupID, projectID: unit.id, publishedAt: publishedAt)
            let customers = try await work.loadCustomers(groupID: groupID, project: unit, index: index, rooms: inventory.rooms,
                                                         passwordHash: passwordHash, now: publishedAt)
            // Deals come after the launch: from the price list's publication (210 days ago) to now.
            let deals = try await work.loadDeals(groupID: groupID, project: unit, index: index, now: now)
            return (inventory, customers, deals)
        }
    }
}

extension UnitOfWork {
    /// The scale group (made if missing), whether it was made, how many projects it has, and the
    /// city companies (by index) that the next `count` projects go under, made where missing.
    func prepareScaleGroup(adding count: Int, passwordHash: String) async throws -> (UUID, Bool, Int, [Int: OrgUnit]) {
        let created = try await groups.insertIfMissing(Group(id: UUIDv7.make(), code: ScaleData.groupCode, name: "Scale Test Group"))
        guard let group = try await groups.find(code: ScaleData.groupCode) else {
            throw DataError.internalFailure("scale group vanished")
        }
        func unit(_ code: String, _ name: String, _ kind: OrgUnitKind, under parent: OrgUnit?) async throws -> OrgUnit {
            if let existing = try await orgUnits.find(groupID: group.id, code: code) { return existing }
            let made = parent.flatMap { OrgUnit.child(of: $0, id: UUIDv7.make(), kind: kind, code: code, name: name) }
                ?? OrgUnit.root(of: group, id: UUIDv7.make())
            try await orgUnits.insert(made)
            return made
        }
        let root = try await unit(group.code, group.name, .group, under: nil)
        try await dictionaries.insertDefaults(groupID: group.id)
        // Someone to sign in as for benchmarks: group management reads every customer, unmasked.
        if try await users.credentials(groupCode: group.code, username: ScaleData.managementUser) == nil {
            let user = User(groupID: group.id, id: UUIDv7.make(), orgUnitID: root.id, username: ScaleData.managementUser, displayName: "Scale management")
            try await users.insert(user, passwordHash: passwordHash)
            _ = try await roles.grant(BuiltInRoles.groupManagement.code, userID: user.id, orgUnitID: root.id, groupID: group.id)
        }
        let codes = try await transaction.query("""
            SELECT code FROM org_units WHERE group_id = \(group.id) AND kind = 'project' AND code LIKE 'scale-p%'
            """).map { try $0.decode("code", as: String.self) }
        let existing = codes.compactMap { Int($0.dropFirst("scale-p".count)) }.max() ?? 0
        var cities: [Int: OrgUnit] = [:]
        var regions: [Int: OrgUnit] = [:]
        for index in (existing + 1)...(existing + count) {
            let cityIndex = ScaleData.cityIndex(project: index)
            if cities[cityIndex] != nil { continue }
            let regionIndex = ScaleData.regionIndex(city: cityIndex)
            let region: OrgUnit
            if let known = regions[regionIndex] {
                region = known
            } else {
                region = try await unit(ScaleData.regionCode(regionIndex), ScaleData.regionName(regionIndex), .region, under: root)
                regions[regionIndex] = region
            }
            cities[cityIndex] = try await unit(ScaleData.cityCode(cityIndex), ScaleData.cityName(cityIndex), .cityCompany, under: region)
        }
        return (group.id, created, existing, cities)
    }
}
