import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// One entry of a factor table: a key and exactly one of a coefficient (multiplies) or an amount (adds).
struct FactorInput: Codable, Sendable {
    var from: Int?
    var to: Int?
    var value: String?
    var stack: Int?
    var coefficient: Coefficient?
    var amount: Money?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case from, to, value, stack, coefficient, amount
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decodeIfPresent(Int.self, forKey: .from)
        to = try container.decodeIfPresent(Int.self, forKey: .to)
        value = try container.decodeIfPresent(String.self, forKey: .value)
        stack = try container.decodeIfPresent(Int.self, forKey: .stack)
        coefficient = try container.decodeIfPresent(Coefficient.self, forKey: .coefficient)
        amount = try container.decodeIfPresent(Money.self, forKey: .amount)
    }

    /// Members that do not belong to the entry's table are refused.
    func refuse(_ names: [CodingKeys], _ field: String, _ violations: inout [FieldViolation]) {
        let present: [CodingKeys: Bool] = [.from: from != nil, .to: to != nil, .value: value != nil, .stack: stack != nil]
        for name in names where present[name] == true {
            violations.append(FieldViolation(field: "\(field).\(name.rawValue)", message: "does not belong in this table"))
        }
    }

    func adjustment(_ field: String, _ violations: inout [FieldViolation]) -> PriceAdjustment? {
        switch (coefficient, amount) {
        case (let coefficient?, nil): return .coefficient(coefficient)
        case (nil, let amount?): return .amount(amount)
        default:
            violations.append(FieldViolation(field: field, message: "give exactly one of coefficient or amount"))
            return nil
        }
    }
}

struct FactorsInput: Codable, Sendable {
    var floor: [FactorInput]?
    var orientation: [FactorInput]?
    var view: [FactorInput]?
    var layout: [FactorInput]?
    var stack: [FactorInput]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case floor, orientation, view, layout, stack
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        floor = try container.decodeIfPresent([FactorInput].self, forKey: .floor)
        orientation = try container.decodeIfPresent([FactorInput].self, forKey: .orientation)
        view = try container.decodeIfPresent([FactorInput].self, forKey: .view)
        layout = try container.decodeIfPresent([FactorInput].self, forKey: .layout)
        stack = try container.decodeIfPresent([FactorInput].self, forKey: .stack)
    }

    init() {}

    func factors(_ violations: inout [FieldViolation]) -> PricingFactors {
        var factors = PricingFactors()
        for (i, entry) in (floor ?? []).enumerated() {
            let field = "factors.floor[\(i)]"
            entry.refuse([.value, .stack], field, &violations)
            guard let from = entry.from else { violations.append(FieldViolation(field: field + ".from", message: "is required")); continue }
            for (name, floor) in [("from", from), ("to", entry.to ?? from)] where !(-1000...1000).contains(floor) {
                violations.append(FieldViolation(field: "\(field).\(name)", message: "must be a floor from -1000 to 1000"))
            }
            if let adjustment = entry.adjustment(field, &violations) { factors.floor.append(FloorFactor(from: from, to: entry.to ?? from, adjustment)) }
        }
        func attributes(_ list: [FactorInput]?, _ name: String) -> [AttributeFactor] {
            (list ?? []).enumerated().compactMap { i, entry in
                let field = "factors.\(name)[\(i)]"
                entry.refuse([.from, .to, .stack], field, &violations)
                guard let value = entry.value else { violations.append(FieldViolation(field: field + ".value", message: "is required")); return nil }
                return entry.adjustment(field, &violations).map { AttributeFactor(value: value, $0) }
            }
        }
        factors.orientation = attributes(orientation, "orientation")
        factors.view = attributes(view, "view")
        factors.layout = attributes(layout, "layout")
        for (i, entry) in (stack ?? []).enumerated() {
            let field = "factors.stack[\(i)]"
            entry.refuse([.from, .to, .value], field, &violations)
            guard let position = entry.stack else { violations.append(FieldViolation(field: field + ".stack", message: "is required")); continue }
            if !(1...99).contains(position) { violations.append(FieldViolation(field: field + ".stack", message: "must be from 1 to 99")) }
            if let adjustment = entry.adjustment(field, &violations) { factors.stack.append(StackFactor(stack: position, adjustment)) }
        }
        return factors
    }
}

/// A pricing run as requested: which rooms, how the base is found, the factor tables, rounding.
struct PricingRunInput: Codable, Sendable {
    var projectId: UUID
    /// Only these buildings of the project (all when absent).
    var buildingIds: [UUID]?
    /// Only these rooms (all of the chosen buildings when absent).
    var roomIds: [UUID]?
    var base: Money?
    var targetAverage: Money?
    var targetTotal: Money?
    var priceStep: Money?
    var floorRatio: Coefficient?
    var factors: FactorsInput?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case projectId, buildingIds, roomIds, base, targetAverage, targetTotal, priceStep, floorRatio, factors
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        projectId = try container.decode(UUID.self, forKey: .projectId)
        buildingIds = try container.decodeIfPresent([UUID].self, forKey: .buildingIds)
        roomIds = try container.decodeIfPresent([UUID].self, forKey: .roomIds)
        base = try container.decodeIfPresent(Money.self, forKey: .base)
        targetAverage = try container.decodeIfPresent(Money.self, forKey: .targetAverage)
        targetTotal = try container.decodeIfPresent(Money.self, forKey: .targetTotal)
        priceStep = try container.decodeIfPresent(Money.self, forKey: .priceStep)
        floorRatio = try container.decodeIfPresent(Coefficient.self, forKey: .floorRatio)
        factors = try container.decodeIfPresent(FactorsInput.self, forKey: .factors)
    }

    /// The mode and factor tables, or the fields at fault (named with `prefix`, e.g. `run.`).
    func parts(prefix: String = "") throws -> (PricingMode, PricingFactors) {
        var violations: [FieldViolation] = []
        let modes: [PricingMode] = [base.map(PricingMode.base), targetAverage.map(PricingMode.targetAverage),
                                    targetTotal.map(PricingMode.targetTotal)].compactMap { $0 }
        if modes.count != 1 {
            violations.append(FieldViolation(field: "base", message: "give exactly one of base, targetAverage or targetTotal"))
        }
        if let ids = roomIds, ids.isEmpty || ids.count > 20_000 || Set(ids).count != ids.count {
            violations.append(FieldViolation(field: "roomIds", message: "must name 1 to 20000 different rooms when given"))
        }
        if let ids = buildingIds, ids.isEmpty || Set(ids).count != ids.count {
            violations.append(FieldViolation(field: "buildingIds", message: "must name different buildings, at least one, when given"))
        }
        if roomIds != nil && buildingIds != nil {
            violations.append(FieldViolation(field: "buildingIds", message: "give roomIds or buildingIds, not both"))
        }
        let factors = (factors ?? FactorsInput()).factors(&violations)
        guard violations.isEmpty, let mode = modes.first else {
            throw Problem.validation(violations.map { FieldViolation(field: prefix + $0.field, message: $0.message) })
        }
        return (mode, factors)
    }

    /// The run over `rooms` (already chosen and without the ones whose price is agreed).
    func run(over rooms: [Room]) throws -> PricingRun {
        let (mode, factors) = try parts()
        let pricing = rooms.map { room in
            PricingRoom(id: room.id, basis: room.attributes.pricingBasis, area: room.attributes.areas.pricingArea(room.attributes.pricingBasis),
                        floor: room.attributes.floor, orientation: room.attributes.orientation, view: room.attributes.view,
                        layout: room.attributes.layout, stack: room.attributes.stack)
        }
        return PricingRun(rooms: pricing, factors: factors, mode: mode, priceStep: priceStep ?? Money(yuan: 1), floorRatio: floorRatio)
    }
}

/// A computed pricing run: every room's new prices next to its current ones, and how close the target is.
struct PricingPreviewBody: ResponseEncodable {
    struct RoomLine: Encodable, Sendable {
        let roomId: UUID
        let buildingId: UUID
        let number: String
        let floor: Int
        let unitPrice: Money
        let listPrice: Money
        let floorPrice: Money?
        let currentUnitPrice: Money?
        let currentListPrice: Money?
    }

    let projectId: UUID
    let currency = "CNY"
    let roomCount: Int
    let base: Money
    let total: Money
    let totalArea: Area
    let averageUnitPrice: Money
    let targetAverage: Money?
    let targetTotal: Money?
    let deviation: Money?
    let averageDeviation: Money?
    /// Rooms left out because a deal holds them at an agreed price.
    let keptRoomIds: [UUID]
    let rooms: [RoomLine]

    init(projectID: UUID, rooms: [Room], kept: [Room], result: PricingResult) {
        projectId = projectID
        roomCount = result.rooms.count
        base = result.base
        total = result.total
        totalArea = result.totalWeight
        averageUnitPrice = result.averageUnitPrice
        targetAverage = result.targetAverageUnitPrice
        targetTotal = result.targetTotal
        deviation = result.deviation
        averageDeviation = result.averageDeviation
        keptRoomIds = kept.map(\.id)
        let byID = Dictionary(uniqueKeysWithValues: rooms.map { ($0.id, $0) })
        self.rooms = result.rooms.compactMap { priced in
            guard let room = byID[priced.id] else { return nil }
            return RoomLine(roomId: room.id, buildingId: room.buildingID, number: room.attributes.number, floor: room.attributes.floor,
                            unitPrice: priced.unitPrice, listPrice: priced.listPrice, floorPrice: priced.floorPrice,
                            currentUnitPrice: room.unitPrice, currentListPrice: room.listPrice)
        }
    }
}

struct PublishPriceList: Decodable {
    let name: String
    let run: PricingRunInput
}

struct PriceListBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let version: Int
    let name: String
    let currency = "CNY"
    let baseUnitPrice: Money
    let roomCount: Int
    let total: Money
    let publishedBy: String
    let publishedAt: Date
    let run: PricingRunInput?

    init(_ list: PriceList) {
        id = list.id
        projectId = list.projectID
        version = list.version
        name = list.name
        baseUnitPrice = list.baseUnitPrice
        roomCount = list.roomCount
        total = list.total
        publishedBy = list.publishedBy
        publishedAt = list.publishedAt
        run = try? JSONDecoder().decode(PricingRunInput.self, from: Data(list.run.utf8))
    }
}

struct PublishedBody: ResponseEncodable {
    let priceList: PriceListBody
    let result: PricingPreviewBody
}

struct RoomPriceBody: Encodable, Sendable {
    let roomId: UUID
    let unitPrice: Money
    let listPrice: Money
    let floorPrice: Money?

    init(_ price: RoomPrice) {
        roomId = price.roomID
        unitPrice = price.unitPrice
        listPrice = price.listPrice
        floorPrice = price.floorPrice
    }
}

struct PriceListDetailBody: ResponseEncodable {
    let priceList: PriceListBody
    let rooms: [RoomPriceBody]
}

struct RoomPriceChangeBody: Encodable, Sendable {
    let id: UUID
    let unitPrice: Money
    let listPrice: Money
    let floorPrice: Money?
    let priceListId: UUID?
    let reason: String
    let actor: String
    let at: Date

    init(_ change: RoomPriceChange) {
        id = change.id
        unitPrice = change.price.unitPrice
        listPrice = change.price.listPrice
        floorPrice = change.price.floorPrice
        priceListId = change.priceListID
        reason = change.reason
        actor = change.actor
        at = change.at
    }
}

struct AdjustPrice: Decodable {
    let unitPrice: Money
    let floorPrice: Money?
    let reason: String
}
