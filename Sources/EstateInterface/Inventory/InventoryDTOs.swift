import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct BuildingBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let phaseId: UUID?
    let code: String
    let name: String
    let version: Int

    init(_ building: Building) {
        id = building.id
        projectId = building.projectID
        phaseId = building.phaseID
        code = building.code
        name = building.name
        version = building.version
    }
}

struct PhaseBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let code: String
    let name: String
    let version: Int

    init(_ phase: Phase) {
        id = phase.id
        projectId = phase.projectID
        code = phase.code
        name = phase.name
        version = phase.version
    }
}

struct CreateBuilding: Decodable {
    let code: String
    let name: String
    let phaseId: UUID?
}

struct UpdateBuilding: Decodable {
    let code: String?
    let name: String?
    let phaseId: UUID?
}

struct CreatePhase: Decodable {
    let code: String
    let name: String
}

struct HoldBody: ResponseEncodable {
    let reason: String
    let until: Date
}

struct RoomBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let buildingId: UUID
    let number: String
    let entrance: Int
    let floor: Int
    let stack: Int
    let kind: RoomKind
    let layout: String?
    let orientation: String?
    let view: String?
    let builtAreaForecast: Area?
    let internalAreaForecast: Area?
    let builtAreaActual: Area?
    let internalAreaActual: Area?
    let pricingBasis: PricingBasis
    let sharedLand: Bool
    let externalCode: String?
    let status: RoomStatus
    let hold: HoldBody?
    let currency = "CNY"
    let unitPrice: Money?
    let listPrice: Money?
    let floorPrice: Money?
    let priceListId: UUID?
    /// The sales-control operations the room's status accepts now.
    let allowedEvents: [SalesControlEvent]
    let version: Int

    init(_ room: Room) {
        let a = room.attributes
        id = room.id
        projectId = room.projectID
        buildingId = room.buildingID
        number = a.number
        entrance = a.entrance
        floor = a.floor
        stack = a.stack
        kind = a.kind
        layout = a.layout
        orientation = a.orientation
        view = a.view
        builtAreaForecast = a.areas.builtForecast
        internalAreaForecast = a.areas.internalForecast
        builtAreaActual = a.areas.builtActual
        internalAreaActual = a.areas.internalActual
        pricingBasis = a.pricingBasis
        sharedLand = a.sharedLand
        externalCode = a.externalCode
        status = room.status
        if let reason = room.holdReason, let until = room.holdUntil { hold = HoldBody(reason: reason, until: until) } else { hold = nil }
        unitPrice = room.unitPrice
        listPrice = room.listPrice
        floorPrice = room.floorPrice
        priceListId = room.priceListID
        allowedEvents = SalesControl.events(from: room.status).filter { $0.permission != nil && !(a.sharedLand && $0 == .release) }
        version = room.version
    }
}

/// A room's attributes as sent by clients: every field optional, so that the same shape serves
/// creation (where `number`, `floor` and `stack` are required) and partial updates.
extension RoomInput: NullableFields {
    static let fieldNames: Set<String> = [
        "number", "entrance", "floor", "stack", "kind", "layout", "orientation", "view", "builtAreaForecast", "internalAreaForecast",
        "builtAreaActual", "internalAreaActual", "pricingBasis", "sharedLand", "externalCode",
    ]
    static let nullableFields: Set<String> = []
}

struct RoomInput: Decodable {
    var number: String?
    var entrance: Int?
    var floor: Int?
    var stack: Int?
    var kind: RoomKind?
    var layout: String?
    var orientation: String?
    var view: String?
    var builtAreaForecast: Area?
    var internalAreaForecast: Area?
    var builtAreaActual: Area?
    var internalAreaActual: Area?
    var pricingBasis: PricingBasis?
    var sharedLand: Bool?
    var externalCode: String?

    /// The attributes of a new room, or the fields missing.
    func attributes(prefix: String = "") throws -> RoomAttributes {
        var missing: [FieldViolation] = []
        if number == nil { missing.append(FieldViolation(field: prefix + "number", message: "is required")) }
        if floor == nil { missing.append(FieldViolation(field: prefix + "floor", message: "is required")) }
        if stack == nil { missing.append(FieldViolation(field: prefix + "stack", message: "is required")) }
        guard missing.isEmpty, let number, let floor, let stack else { throw Problem.validation(missing) }
        var attributes = RoomAttributes(number: number, floor: floor, stack: stack)
        apply(to: &attributes)
        return attributes
    }

    /// Overwrites the fields this input names.
    func apply(to attributes: inout RoomAttributes) {
        if let number { attributes.number = number }
        if let entrance { attributes.entrance = entrance }
        if let floor { attributes.floor = floor }
        if let stack { attributes.stack = stack }
        if let kind {
            attributes.kind = kind
            if pricingBasis == nil && (kind == .parking || kind == .storage) { attributes.pricingBasis = .unit }
        }
        if let layout { attributes.layout = layout }
        if let orientation { attributes.orientation = orientation }
        if let view { attributes.view = view }
        if let builtAreaForecast { attributes.areas.builtForecast = builtAreaForecast }
        if let internalAreaForecast { attributes.areas.internalForecast = internalAreaForecast }
        if let builtAreaActual { attributes.areas.builtActual = builtAreaActual }
        if let internalAreaActual { attributes.areas.internalActual = internalAreaActual }
        if let pricingBasis { attributes.pricingBasis = pricingBasis }
        if let sharedLand { attributes.sharedLand = sharedLand }
        if let externalCode { attributes.externalCode = externalCode }
    }
}

struct StatusChangeInput: Decodable, NullableFields {
    let reason: String?

    static let fieldNames: Set<String> = ["reason"]
    static let nullableFields: Set<String> = []
}

struct HoldInput: Decodable {
    let reason: String
    /// RFC 3339 date-time.
    let until: String
}

struct StatusChangeBody: ResponseEncodable {
    let id: UUID
    let roomId: UUID
    let from: RoomStatus
    let to: RoomStatus
    let event: SalesControlEvent
    let actor: String
    let reason: String?
    let holdUntil: Date?
    let dealId: UUID?
    let at: Date

    init(_ change: RoomStatusChange) {
        id = change.id
        roomId = change.roomID
        from = change.from
        to = change.to
        event = change.event
        actor = change.actor
        reason = change.reason
        holdUntil = change.holdUntil
        dealId = change.dealID
        at = change.at
    }
}

struct ListBody<Item: Encodable & Sendable>: ResponseEncodable {
    let items: [Item]
}

extension CreateBuilding: NullableFields {
    static let fieldNames: Set<String> = ["code", "name", "phaseId"]
    static let nullableFields: Set<String> = []
}

extension UpdateBuilding: NullableFields {
    static let fieldNames: Set<String> = ["code", "name", "phaseId"]
    static let nullableFields: Set<String> = []
}
