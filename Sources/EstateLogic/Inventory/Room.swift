import Foundation

/// What a room is (DOMAIN.md: the sellable unit is also a shop, office, parking space or storage room).
public enum RoomKind: String, Sendable, Hashable, Codable, CaseIterable {
    case apartment, villa, shop, office, parking, storage
}

/// What a room's unit price is per: m² of built area, m² of internal area, or the whole unit
/// (parking spaces and storage rooms are usually priced per unit).
public enum PricingBasis: String, Sendable, Hashable, Codable, CaseIterable {
    case builtArea = "built_area"
    case internalArea = "internal_area"
    case unit
}

/// A room's four areas: built and internal, each forecast (pre-sale survey) and actual
/// (completion survey). Any may be unknown.
public struct RoomAreas: Sendable, Hashable, Codable {
    public var builtForecast: Area?
    public var internalForecast: Area?
    public var builtActual: Area?
    public var internalActual: Area?

    public init(builtForecast: Area? = nil, internalForecast: Area? = nil, builtActual: Area? = nil, internalActual: Area? = nil) {
        self.builtForecast = builtForecast
        self.internalForecast = internalForecast
        self.builtActual = builtActual
        self.internalActual = internalActual
    }

    /// The built area that counts now: actual once surveyed, forecast before.
    public var built: Area? { builtActual ?? builtForecast }
    /// The internal area that counts now: actual once surveyed, forecast before.
    public var `internal`: Area? { internalActual ?? internalForecast }

    /// The area the unit price multiplies under `basis`; nil for per-unit pricing or when unknown.
    public func pricingArea(_ basis: PricingBasis) -> Area? {
        switch basis {
        case .builtArea: built
        case .internalArea: `internal`
        case .unit: nil
        }
    }
}

/// The descriptive attributes of a room: where it is, what it is, how it is priced.
public struct RoomAttributes: Sendable, Hashable, Codable {
    /// The room's number within its building (e.g. `1203`), unique in the building.
    public var number: String
    /// Entrance (unit) of the building, from 1.
    public var entrance: Int
    /// Floor; negative below ground, never 0.
    public var floor: Int
    /// Position on the floor within the entrance, from 1; rooms above each other share a stack.
    public var stack: Int
    public var kind: RoomKind
    /// E.g. `3b2l` (3 bedrooms, 2 living rooms); free text from the layout dictionary.
    public var layout: String?
    public var orientation: String?
    public var view: String?
    public var areas: RoomAreas
    public var pricingBasis: PricingBasis
    /// A parking space on land shared by all owners: never for sale.
    public var sharedLand: Bool
    /// The room's code in another system (for import/upsert), unique in the project.
    public var externalCode: String?

    public init(number: String, entrance: Int = 1, floor: Int, stack: Int, kind: RoomKind = .apartment,
                layout: String? = nil, orientation: String? = nil, view: String? = nil, areas: RoomAreas = RoomAreas(),
                pricingBasis: PricingBasis = .builtArea, sharedLand: Bool = false, externalCode: String? = nil) {
        self.number = number
        self.entrance = entrance
        self.floor = floor
        self.stack = stack
        self.kind = kind
        self.layout = layout
        self.orientation = orientation
        self.view = view
        self.areas = areas
        self.pricingBasis = pricingBasis
        self.sharedLand = sharedLand
        self.externalCode = externalCode
    }

    /// Largest area accepted for one room, m² × 100 (100,000 m²).
    public static let maximumArea = Area(hundredths: 10_000_000)

    /// Every rule the attributes break, with `prefix` before each field name (e.g. `rooms[3].`).
    public func violations(prefix: String = "") -> [FieldViolation] {
        var result: [FieldViolation] = []
        func add(_ field: String, _ message: String) { result.append(FieldViolation(field: prefix + field, message: message)) }
        let trimmed = number.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed != number || number.count > 32 || CustomerText.hasControlCharacter(number) {
            add("number", "must be 1 to 32 characters without surrounding spaces or control characters")
        }
        if !(1...99).contains(entrance) { add("entrance", "must be between 1 and 99") }
        if floor == 0 || !(-9...200).contains(floor) { add("floor", "must be between -9 and 200, and not 0") }
        if !(1...99).contains(stack) { add("stack", "must be between 1 and 99") }
        for (field, value) in [("layout", layout), ("orientation", orientation), ("view", view), ("externalCode", externalCode)] {
            if let value, !Self.isCode(value) { add(field, "must be 1 to 64 characters, without control characters, when given") }
        }
        let areaFields: [(String, Area?)] = [("builtAreaForecast", areas.builtForecast), ("internalAreaForecast", areas.internalForecast),
                                             ("builtAreaActual", areas.builtActual), ("internalAreaActual", areas.internalActual)]
        for (field, area) in areaFields {
            if let area, area <= .zero || area > Self.maximumArea { add(field, "must be more than 0 and at most 100000.00") }
        }
        if let built = areas.builtForecast, let internalArea = areas.internalForecast, internalArea > built {
            add("internalAreaForecast", "must not exceed the built area")
        }
        if let built = areas.builtActual, let internalArea = areas.internalActual, internalArea > built {
            add("internalAreaActual", "must not exceed the built area")
        }
        if sharedLand && kind != .parking { add("sharedLand", "only a parking space can be on shared land") }
        return result
    }

    /// Whether `value` is a valid layout, orientation, view or external code: 1 to 64 characters, not
    /// blank, without control characters (codes are printed and exchanged).
    public static func isCode(_ value: String) -> Bool {
        !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && value.count <= 64 && !CustomerText.hasControlCharacter(value)
    }
}

/// A room as stored: its attributes, its sales status and its current price.
public struct Room: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var buildingID: UUID
    public var attributes: RoomAttributes
    public var status: RoomStatus
    public var holdReason: String?
    public var holdUntil: Date?
    /// Current list unit price (per m² of the pricing basis, or per unit).
    public var unitPrice: Money?
    /// Current list total price.
    public var listPrice: Money?
    /// The lowest total price a sale may reach without a manager's approval.
    public var floorPrice: Money?
    /// The published price list the current price comes from (nil after a manual adjustment).
    public var priceListID: UUID?
    public var version: Int
    /// The organisation path of the room's project (group … project): what scope checks compare.
    public var projectPath: [UUID]

    public init(groupID: UUID, id: UUID, projectID: UUID, buildingID: UUID, attributes: RoomAttributes,
                status: RoomStatus = .notReleased, holdReason: String? = nil, holdUntil: Date? = nil,
                unitPrice: Money? = nil, listPrice: Money? = nil, floorPrice: Money? = nil, priceListID: UUID? = nil,
                version: Int = 1, projectPath: [UUID] = []) {
        self.projectPath = projectPath
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.buildingID = buildingID
        self.attributes = attributes
        self.status = status
        self.holdReason = holdReason
        self.holdUntil = holdUntil
        self.unitPrice = unitPrice
        self.listPrice = listPrice
        self.floorPrice = floorPrice
        self.priceListID = priceListID
        self.version = version
    }
}
