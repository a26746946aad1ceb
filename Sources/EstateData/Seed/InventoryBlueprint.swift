import EstateLogic
import Foundation

// Generated inventory for the demo and scale data sets: buildings of rooms with areas, prices and
// sales statuses that look like a real sales office's. Everything that is content (sizes, areas,
// prices, statuses) comes from a seeded `SeedRandom` and integer arithmetic; only ids and
// timestamps depend on when the data is made.

/// What share of the released rooms of a building is in each status, per mille; the rest are available.
struct StatusMix: Sendable {
    var held: Int
    var reserved: Int
    var subscribed: Int
    var contracted: Int
}

/// A residential tower: `floors` × `entrances` × `roomsPerEntrance`, optionally shops on floor 1.
struct TowerPlan: Sendable {
    var code: String
    var name: String
    var floors: Int
    var entrances: Int
    var roomsPerEntrance: Int
    var shopsOnGroundFloor: Bool
    /// Yuan per m² of built area before the floor, orientation, view and layout factors.
    var baseUnitPrice: Int64
    /// Floors from this one up are a later sales batch: not released yet (nil: all released).
    var unreleasedFromFloor: Int?
    var mix: StatusMix

    var roomCount: Int { floors * entrances * roomsPerEntrance }
}

/// An underground parking area on one floor, spaces priced per unit.
struct ParkingPlan: Sendable {
    var code: String
    var name: String
    var floor: Int
    var spaces: Int
    /// Every n-th space is on land shared by all owners: never for sale, so never released or priced.
    var sharedLandEvery: Int
    /// Yuan per space.
    var price: ClosedRange<Int64>
    /// Per mille of the other spaces kept back (not released).
    var unreleased: Int
    var mix: StatusMix
}

/// One project's inventory to generate.
struct ProjectPlan: Sendable {
    var towers: [TowerPlan]
    var parking: [ParkingPlan]
    /// The apartment base price, recorded on the price list.
    var baseUnitPrice: Int64
    /// Seeds the rooms' attributes and statuses.
    var seed: UInt64
}

/// One status change of a seeded room, as room_status_history keeps it.
struct SeedStatusChange: Sendable {
    var from: RoomStatus
    var to: RoomStatus
    var event: SalesControlEvent
    var at: Date
    var reason: String?
    var holdUntil: Date?
}

struct SeedRoom: Sendable {
    var room: Room
    /// From not released to the room's status, oldest first; empty for a room never released.
    var history: [SeedStatusChange]
}

struct SeedBuilding: Sendable {
    var id: UUID
    var code: String
    var name: String
    var rooms: [SeedRoom]
}

/// A generated project: its buildings and the id of its first published price list.
struct SeedProject: Sendable {
    var buildings: [SeedBuilding]
    var priceListID: UUID
    var baseUnitPrice: Money

    var rooms: [SeedRoom] { buildings.flatMap(\.rooms) }
}

/// List prices from unit prices, the way a price list computes them.
enum SeedPricing {
    /// `unit × area`, rounded half away from zero to the cent (the pricing run's rule).
    static func total(unit: Money, area: Area) -> Money {
        PricingRun.listPrice(unit: unit, area: area, basis: .builtArea) ?? .zero
    }

    static let floorRatio = Coefficient(millionths: 970_000)

    /// The lowest price a consultant may agree without approval: 97 % of the list price, to the cent.
    static func floor(list: Money) -> Money {
        PricingRun.floorPrice(list: list, ratio: floorRatio)
    }

    /// `yuan × (10000 + basisPoints) / 10000`, rounded to the yuan.
    static func adjust(yuan: Int64, basisPoints: Int) -> Int64 {
        Int64(FixedPoint.divideRounded(Int128(yuan) * Int128(10_000 + basisPoints), 10_000))
    }
}

/// Turns plans into rooms.
struct InventoryGenerator {
    let groupID: UUID
    let projectID: UUID
    let now: Date
    private(set) var random: SeedRandom
    private var idRandom = SystemRandomNumberGenerator()
    private let milliseconds: UInt64

    init(groupID: UUID, projectID: UUID, seed: UInt64, now: Date = Date()) {
        self.groupID = groupID
        self.projectID = projectID
        self.now = now
        self.random = SeedRandom(seed: seed)
        self.milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
    }

    /// When the seeded price list was published: before the earliest release.
    var publishedAt: Date { now.addingTimeInterval(-210 * 86_400) }

    mutating func makeID() -> UUID { UUIDv7.make(milliseconds: milliseconds, using: &idRandom) }

    mutating func project(_ plan: ProjectPlan) -> SeedProject {
        let priceListID = makeID()
        var buildings = plan.towers.map { tower($0, priceListID: priceListID) }
        buildings += plan.parking.map { parking($0, priceListID: priceListID) }
        return SeedProject(buildings: buildings, priceListID: priceListID, baseUnitPrice: Money(yuan: plan.baseUnitPrice))
    }

    // MARK: - Towers

    struct StackDesign {
        var layout: String
        var orientation: String
        var built: Area
        var internalArea: Area
        var layoutFactor: Int
    }

    static let layouts: [(code: String, area: ClosedRange<Int64>, factor: Int)] = [
        ("2b2l", 8_900...9_800, 150), ("3b2l", 10_500...12_800, 0), ("3b2l", 10_500...12_800, 0), ("4b2l", 13_200...14_300, 100),
    ]

    static func orientations(_ count: Int) -> [String] {
        switch count {
        case 1: ["S"]
        case 2: ["S", "SE"]
        case 3: ["E", "S", "W"]
        default: Array((["SE", "S", "N", "W"] + Array(repeating: "S", count: max(0, count - 4))).prefix(count))
        }
    }

    static let orientationFactor: [String: Int] = ["S": 300, "SE": 200, "E": 0, "W": -150, "N": -400]
    static let viewFactor: [String: Int] = ["river": 600, "garden": 150, "city": 0]

    static func view(orientation: String, floor: Int, floors: Int) -> String {
        if orientation.hasPrefix("S") && floor > floors / 3 { return "river" }
        if orientation == "N" { return "city" }
        return floor <= 6 ? "garden" : "city"
    }

    static func floorFactor(_ floor: Int) -> Int { floor <= 2 ? -200 : (floor - 3) * 40 }

    mutating func tower(_ plan: TowerPlan, priceListID: UUID) -> SeedBuilding {
        let buildingID = makeID()
        // Each entrance has its own apartment designs, repeated on every floor (a stack).
        let designs: [[StackDesign]] = (0..<plan.entrances).map { _ in
            Self.orientations(plan.roomsPerEntrance).map { orientation in
                let layout = random.pick(Self.layouts)
                let built = random.int64(layout.area)
                let ratio = random.int64(7_801...7_999)  // inside 78–80 % after rounding to the hundredth
                return StackDesign(layout: layout.code, orientation: orientation, built: Area(hundredths: built),
                                   internalArea: Area(hundredths: Int64(FixedPoint.divideRounded(Int128(built) * Int128(ratio), 10_000))),
                                   layoutFactor: layout.factor)
            }
        }
        let released = releaseDate(daysAgo: 120...200)
        var rooms: [SeedRoom] = []
        rooms.reserveCapacity(plan.roomCount)
        for floor in 1...plan.floors {
            for entrance in 1...plan.entrances {
                for stack in 1...plan.roomsPerEntrance {
                    let index = (entrance - 1) * plan.roomsPerEntrance + stack
                    let number = "\(floor)\(index < 10 ? "0" : "")\(index)"
                    var attributes: RoomAttributes
                    var unitYuan: Int64
                    if plan.shopsOnGroundFloor && floor == 1 {
                        let built = random.int64(4_500...18_000)
                        let ratio = random.int64(8_400...8_800)
                        attributes = RoomAttributes(
                            number: number, entrance: entrance, floor: floor, stack: stack, kind: .shop,
                            orientation: random.pick(["S", "N"]), view: "street",
                            areas: RoomAreas(builtForecast: Area(hundredths: built),
                                             internalForecast: Area(hundredths: Int64(FixedPoint.divideRounded(Int128(built) * Int128(ratio), 10_000)))),
                            pricingBasis: .builtArea)
                        unitYuan = SeedPricing.adjust(yuan: plan.baseUnitPrice, basisPoints: 7_000 + random.int(-500...500))
                    } else {
                        let design = designs[entrance - 1][stack - 1]
                        let view = Self.view(orientation: design.orientation, floor: floor, floors: plan.floors)
                        attributes = RoomAttributes(
                            number: number, entrance: entrance, floor: floor, stack: stack, kind: .apartment,
                            layout: design.layout, orientation: design.orientation, view: view,
                            areas: RoomAreas(builtForecast: design.built, internalForecast: design.internalArea),
                            pricingBasis: .builtArea)
                        let factors = Self.floorFactor(floor) + (Self.orientationFactor[design.orientation] ?? 0)
                            + (Self.viewFactor[view] ?? 0) + design.layoutFactor
                        unitYuan = SeedPricing.adjust(yuan: plan.baseUnitPrice, basisPoints: factors)
                    }
                    let unit = Money(yuan: unitYuan)
                    let list = SeedPricing.total(unit: unit, area: attributes.areas.built ?? .zero)
                    let isReleased = plan.unreleasedFromFloor.map { floor < $0 } ?? true
                    rooms.append(room(buildingID: buildingID, attributes: attributes,
                                      status: status(released: isReleased, mix: plan.mix),
                                      price: (unit, list, SeedPricing.floor(list: list)), priceListID: priceListID,
                                      released: released))
                }
            }
        }
        return SeedBuilding(id: buildingID, code: plan.code, name: plan.name, rooms: rooms)
    }

    // MARK: - Parking

    mutating func parking(_ plan: ParkingPlan, priceListID: UUID) -> SeedBuilding {
        let buildingID = makeID()
        let released = releaseDate(daysAgo: 60...120)
        let perZone = 80
        var rooms: [SeedRoom] = []
        rooms.reserveCapacity(plan.spaces)
        for index in 1...plan.spaces {
            let sharedLand = plan.sharedLandEvery > 0 && index % plan.sharedLandEvery == 0
            let attributes = RoomAttributes(
                number: "B\(-plan.floor)-\(index < 100 ? "0" : "")\(index < 10 ? "0" : "")\(index)",
                entrance: (index - 1) / perZone + 1, floor: plan.floor, stack: (index - 1) % perZone + 1,
                kind: .parking, areas: RoomAreas(builtForecast: Area(hundredths: random.int64(1_250...1_380))),
                pricingBasis: .unit, sharedLand: sharedLand)
            if sharedLand {
                rooms.append(room(buildingID: buildingID, attributes: attributes, status: .notReleased, price: nil,
                                  priceListID: priceListID, released: released))
                continue
            }
            // Whole thousands of yuan per space.
            let unit = Money(yuan: random.int64(plan.price) / 1_000 * 1_000)
            let status = random.chance(plan.unreleased) ? RoomStatus.notReleased : status(released: true, mix: plan.mix)
            rooms.append(room(buildingID: buildingID, attributes: attributes, status: status,
                              price: (unit, unit, SeedPricing.floor(list: unit)), priceListID: priceListID,
                              released: released))
        }
        return SeedBuilding(id: buildingID, code: plan.code, name: plan.name, rooms: rooms)
    }

    // MARK: - Statuses

    mutating func status(released: Bool, mix: StatusMix) -> RoomStatus {
        guard released else { return .notReleased }
        var draw = random.int(0...999)
        for (status, share) in [(RoomStatus.contracted, mix.contracted), (.subscribed, mix.subscribed),
                                (.reserved, mix.reserved), (.held, mix.held)] {
            if draw < share { return status }
            draw -= share
        }
        return .available
    }

    /// The business operations that bring a room from not released to `status`.
    static func events(to status: RoomStatus) -> [SalesControlEvent] {
        switch status {
        case .notReleased: []
        case .available: [.release]
        case .held: [.release, .hold]
        case .reserved: [.release, .reserve]
        case .subscribed: [.release, .reserve, .subscribe]
        case .contracted: [.release, .reserve, .subscribe, .contract]
        case .handedOver: [.release, .reserve, .subscribe, .contract, .handOver]
        case .leased: [.release, .lease]
        }
    }

    static let holdReasons = ["Kept for the management's review", "Kept for a key account", "Price under review",
                              "Show flat until the next batch"]

    private mutating func releaseDate(daysAgo: ClosedRange<Int>) -> Date {
        now.addingTimeInterval(-Double(random.int(daysAgo) * 86_400 + random.int(9...17) * 3_600))
    }

    private mutating func room(buildingID: UUID, attributes: RoomAttributes, status: RoomStatus,
                               price: (unit: Money, list: Money, floor: Money)?, priceListID: UUID,
                               released: Date) -> SeedRoom {
        var room = Room(groupID: groupID, id: makeID(), projectID: projectID, buildingID: buildingID, attributes: attributes,
                        unitPrice: price?.unit, listPrice: price?.list, floorPrice: price?.floor,
                        priceListID: price == nil ? nil : priceListID)
        var history: [SeedStatusChange] = []
        var at = released
        for event in Self.events(to: status) {
            guard let next = try? SalesControl.next(from: room.status, on: event, onSharedLand: attributes.sharedLand) else {
                preconditionFailure("the seed path to \(status) is not a sales-control path (\(event) from \(room.status))")
            }
            var change = SeedStatusChange(from: room.status, to: next, event: event, at: at)
            if event == .hold {
                change.at = now.addingTimeInterval(-Double(random.int(1...5) * 86_400))
                change.reason = random.pick(Self.holdReasons)
                change.holdUntil = now.addingTimeInterval(Double(random.int(7...30) * 86_400))
                room.holdReason = change.reason
                room.holdUntil = change.holdUntil
            }
            history.append(change)
            room.status = next
            // The next step follows within days, never later than an hour ago.
            let elapsed = max(0, now.timeIntervalSince(at) - 3_600)
            at = at.addingTimeInterval(min(elapsed, Double(random.int(1...20) * 86_400 + random.int(0...28_800))))
        }
        return SeedRoom(room: room, history: history)
    }
}
