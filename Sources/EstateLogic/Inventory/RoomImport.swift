import Foundation

/// One problem with one imported record: where it is (the CSV line, or the position in a JSON
/// list) and which field.
public struct ImportViolation: Sendable, Hashable {
    /// 1-based CSV line, or 0-based index in a JSON list.
    public var position: Int
    public var field: String
    public var message: String

    public init(position: Int, field: String, message: String) {
        self.position = position
        self.field = field
        self.message = message
    }
}

/// One imported room: the building it belongs to (by code), its attributes as a new room would
/// have them (with an external code), and the fields the record actually gave (non-blank): an
/// update changes only those.
public struct RoomImportRow: Sendable, Hashable {
    public var position: Int
    public var buildingCode: String
    public var attributes: RoomAttributes
    public var given: [String: String]

    public init(position: Int, buildingCode: String, attributes: RoomAttributes, given: [String: String] = [:]) {
        self.position = position
        self.buildingCode = buildingCode
        self.attributes = attributes
        self.given = given
    }
}

/// What an import does with one row.
public enum RoomImportAction: String, Sendable, Hashable, Codable {
    case create, update, unchanged
}

/// How many records of an import create, update and leave unchanged their object.
public struct ImportCounts: Sendable, Hashable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0

    public init(_ actions: some Sequence<RoomImportAction>) {
        for action in actions {
            switch action {
            case .create: created += 1
            case .update: updated += 1
            case .unchanged: unchanged += 1
            }
        }
    }
}

/// One row's planned outcome.
public struct PlannedRoomImport: Sendable, Hashable {
    public var row: RoomImportRow
    public var action: RoomImportAction
    /// The room created (a new id) or updated.
    public var roomID: UUID
    public var buildingID: UUID
}

/// Bulk import/upsert of rooms by external code (CSV or JSON): parsing each record's text fields
/// and planning creates and updates, all rules in one place, every bad record reported.
public enum RoomImport {
    /// The recognised fields (CSV header names, JSON keys). `externalCode`, `building`, `number`,
    /// `floor` and `stack` are required; `entrance` defaults to 1, `kind` to apartment,
    /// `pricingBasis` to built_area (unit for parking and storage), `sharedLand` to false.
    public static let fields = ["externalCode", "building", "number", "entrance", "floor", "stack", "kind", "layout",
                                "orientation", "view", "builtAreaForecast", "internalAreaForecast", "builtAreaActual",
                                "internalAreaActual", "pricingBasis", "sharedLand"]

    /// What a room held by a deal (reserved, subscribed, contracted, handed over, leased) keeps
    /// through an import: what identifies it in the contract and what its price was computed on. The
    /// completion survey's actual areas (settled with the buyer as an area difference) and the
    /// descriptive fields may still change; status and price never change by an import.
    public static let fixedWhileSold = ["number", "entrance", "floor", "stack", "kind", "builtAreaForecast",
                                        "internalAreaForecast", "pricingBasis", "sharedLand"]

    /// The most records one import takes.
    public static let maximumRows = 20_000

    /// Parses one record given as field → text (empty text means absent).
    public static func parse(_ record: [String: String], position: Int) -> (RoomImportRow?, [ImportViolation]) {
        var violations: [ImportViolation] = []
        func fail(_ field: String, _ message: String) { violations.append(ImportViolation(position: position, field: field, message: message)) }
        for key in record.keys where !fields.contains(key) { fail(key, "is not a room field (known: \(fields.joined(separator: ", ")))") }
        func text(_ field: String) -> String? {
            guard let value = record[field]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func required(_ field: String) -> String? {
            guard let value = text(field) else { fail(field, "is required"); return nil }
            return value
        }
        func integer(_ field: String, required isRequired: Bool) -> Int? {
            guard let value = isRequired ? required(field) : text(field) else { return nil }
            guard let number = Int(value) else { fail(field, "must be a whole number"); return nil }
            return number
        }
        func area(_ field: String) -> Area? {
            guard let value = text(field) else { return nil }
            guard let area = Area(value) else { fail(field, "must be an area in m² with at most 2 decimals"); return nil }
            return area
        }
        func choice<T: RawRepresentable<String> & CaseIterable>(_ field: String, _ type: T.Type) -> T? {
            guard let value = text(field) else { return nil }
            guard let parsed = T(rawValue: value) else {
                fail(field, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return parsed
        }
        let externalCode = required("externalCode")
        let building = required("building")
        let number = required("number")
        let floor = integer("floor", required: true)
        let stack = integer("stack", required: true)
        let entrance = integer("entrance", required: false)
        let kind = choice("kind", RoomKind.self)
        let basis = choice("pricingBasis", PricingBasis.self)
        var sharedLand = false
        if let value = text("sharedLand") {
            switch value.lowercased() {
            case "true", "yes", "1": sharedLand = true
            case "false", "no", "0": sharedLand = false
            default: fail("sharedLand", "must be true or false")
            }
        }
        let areas = RoomAreas(builtForecast: area("builtAreaForecast"), internalForecast: area("internalAreaForecast"),
                              builtActual: area("builtAreaActual"), internalActual: area("internalAreaActual"))
        guard violations.isEmpty, let externalCode, let building, let number, let floor, let stack else { return (nil, violations) }
        let given = record.compactMapValues { value -> String? in
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        let resolvedKind = kind ?? .apartment
        let attributes = RoomAttributes(number: number, entrance: entrance ?? 1, floor: floor, stack: stack, kind: resolvedKind,
                                        layout: text("layout"), orientation: text("orientation"), view: text("view"), areas: areas,
                                        pricingBasis: basis ?? (resolvedKind == .parking || resolvedKind == .storage ? .unit : .builtArea),
                                        sharedLand: sharedLand, externalCode: externalCode)
        violations += attributes.violations().map { ImportViolation(position: position, field: $0.field, message: $0.message) }
        return violations.isEmpty
            ? (RoomImportRow(position: position, buildingCode: building, attributes: attributes, given: given), [])
            : (nil, violations)
    }

    /// A room's attributes as an import record (the inverse of ``parse(_:position:)``).
    public static func record(of attributes: RoomAttributes, buildingCode: String) -> [String: String] {
        let a = attributes
        let optional: [String: String?] = [
            "layout": a.layout, "orientation": a.orientation, "view": a.view, "externalCode": a.externalCode,
            "builtAreaForecast": a.areas.builtForecast?.description, "internalAreaForecast": a.areas.internalForecast?.description,
            "builtAreaActual": a.areas.builtActual?.description, "internalAreaActual": a.areas.internalActual?.description,
        ]
        return optional.compactMapValues { $0 }.merging([
            "building": buildingCode, "number": a.number, "entrance": String(a.entrance), "floor": String(a.floor),
            "stack": String(a.stack), "kind": a.kind.rawValue, "pricingBasis": a.pricingBasis.rawValue, "sharedLand": String(a.sharedLand),
        ]) { $1 }
    }

    /// Plans the import of parsed rows into a project.
    /// - Parameters:
    ///   - existing: the project's rooms with the rows' external codes, by external code.
    ///   - buildings: the project's building ids by code.
    ///   - numberOwners: for each building concerned, which room holds each number now.
    ///   - newID: makes the id of a created room.
    public static func plan(_ rows: [RoomImportRow], existing: [String: Room], buildings: [String: UUID],
                            numberOwners: [UUID: [String: UUID]], newID: () -> UUID) -> ([PlannedRoomImport], [ImportViolation]) {
        var violations: [ImportViolation] = []
        var planned: [PlannedRoomImport] = []
        var seenCodes: [String: Int] = [:]
        var claimed: [UUID: [String: Int]] = [:]   // building → number → position claiming it in this import
        for row in rows {
            func fail(_ field: String, _ message: String) { violations.append(ImportViolation(position: row.position, field: field, message: message)) }
            let code = row.attributes.externalCode ?? ""
            if let first = seenCodes[code] {
                fail("externalCode", "repeats the record at \(first)")
                continue
            }
            seenCodes[code] = row.position
            guard let buildingID = buildings[row.buildingCode] else {
                fail("building", "is not the code of a building of the project")
                continue
            }
            let current = existing[code]
            if let current, current.buildingID != buildingID {
                fail("building", "differs from the building the room is in; rooms are not moved between buildings")
                continue
            }
            var row = row
            if let current {
                // An update changes only the fields the record gives; the rest stays as stored.
                let merged = record(of: current.attributes, buildingCode: row.buildingCode).merging(row.given) { $1 }
                let (parsed, problems) = parse(merged, position: row.position)
                guard let parsed else { violations += problems; continue }
                row.attributes = parsed.attributes
                if row.attributes.sharedLand && !current.attributes.sharedLand && current.status != .notReleased {
                    fail("sharedLand", "a room already released cannot be put on shared land")
                    continue
                }
                if current.status.isTakenByDeal {
                    let before = record(of: current.attributes, buildingCode: row.buildingCode)
                    let after = record(of: row.attributes, buildingCode: row.buildingCode)
                    let moved = fixedWhileSold.filter { before[$0] != after[$0] }
                    for field in moved {
                        fail(field, "cannot change while the room is \(current.status.rawValue): its sale was priced on it "
                             + "(an import may change only \(fields.filter { !fixedWhileSold.contains($0) && $0 != "externalCode" && $0 != "building" }.joined(separator: ", ")))")
                    }
                    if !moved.isEmpty { continue }
                }
            }
            let roomID = current?.id ?? newID()
            let number = row.attributes.number
            if let other = claimed[buildingID]?[number] {
                fail("number", "is also given to the record at \(other)")
                continue
            }
            if let owner = numberOwners[buildingID]?[number], owner != roomID {
                fail("number", "is taken by another room of the building")
                continue
            }
            claimed[buildingID, default: [:]][number] = row.position
            let action: RoomImportAction = current == nil ? .create : (current?.attributes == row.attributes ? .unchanged : .update)
            planned.append(PlannedRoomImport(row: row, action: action, roomID: roomID, buildingID: buildingID))
        }
        return (planned, violations)
    }
}
