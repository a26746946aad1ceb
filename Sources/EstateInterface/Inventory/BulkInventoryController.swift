import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Bulk inventory: a whole building generated from a description, and rooms imported/upserted by
/// external code from CSV or JSON. Both take `dryRun=true` (report, change nothing) and are all or
/// nothing: one bad record refuses the whole request, with every bad record reported.
struct BulkInventoryController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/projects/{id}/buildings/generate", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let dryRun = try request.flag("dryRun")
            let body = try await request.decode(as: GenerateBuilding.self, context: context)
            var violations = Building.violations(code: body.code, name: body.name)
            let plan = body.plan
            violations += plan.violations()
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let attributes: [RoomAttributes]
            do { attributes = try plan.rooms() } catch let error as BuildingPlanError { throw Problem.validation(error.violations) }
            let result = try await database.unitOfWork { work -> GeneratedBuildingBody in
                let project = try await context.inventory.project(work, id, .roomsWrite)
                if let phaseID = body.phaseId { _ = try await context.inventory.phase(work, phaseID, projectID: project.id) }
                if try await work.buildings.find(groupID: project.groupID, projectID: project.id, code: body.code) != nil {
                    throw InventoryError.codeTaken(object: "building", field: "code", code: body.code)
                }
                let building = Building(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, phaseID: body.phaseId,
                                        code: body.code, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                                        projectPath: project.path)
                let rooms = attributes.map {
                    Room(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, buildingID: building.id, attributes: $0,
                         projectPath: project.path)
                }
                if !dryRun {
                    try await work.buildings.insert(building)
                    try await work.rooms.insert(rooms)
                    try await context.recordChange(work, action: "building.generate", objectType: "building", objectID: building.id,
                                                   orgUnitID: project.id,
                                                   changes: AuditChange.diff(before: [:], after: building.auditFields.merging(
                                                       ["rooms": String(rooms.count), "numbering": plan.numbering]) { $1 }),
                                                   groupID: project.groupID)
                }
                return GeneratedBuildingBody(dryRun: dryRun, building: BuildingBody(building), rooms: rooms)
            }
            var response = try result.response(from: request, context: context)
            response.status = dryRun ? .ok : .created
            return response
        }
        routes.add(.post, "/v1/projects/{id}/room-imports", access: .permission(.roomsWrite),
                   maxBodyBytes: Self.largestImport) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let dryRun = try request.flag("dryRun")
            let rows = try await Self.records(request, context)
            let result = try await database.unitOfWork { work -> RoomImportBody in
                let project = try await context.inventory.project(work, id, .roomsWrite)
                let buildings = try await work.buildings.list(groupID: project.groupID, projectID: project.id)
                let codes = rows.compactMap(\.attributes.externalCode)
                let existing = try await work.rooms.lock(groupID: project.groupID, projectID: project.id, externalCodes: codes)
                let owners = try await work.rooms.numberOwners(groupID: project.groupID, buildingIDs: buildings.map(\.id))
                let (planned, violations) = RoomImport.plan(rows, existing: existing,
                                                            buildings: Dictionary(uniqueKeysWithValues: buildings.map { ($0.code, $0.id) }),
                                                            numberOwners: owners, newID: { UUIDv7.make() })
                guard violations.isEmpty else { throw Self.problem(violations, csv: Self.isCSV(request)) }
                let creates = planned.filter { $0.action == .create }.map {
                    Room(groupID: project.groupID, id: $0.roomID, projectID: project.id, buildingID: $0.buildingID, attributes: $0.row.attributes)
                }
                let updates = planned.filter { $0.action == .update }.compactMap { plan -> Room? in
                    guard var room = existing[plan.row.attributes.externalCode ?? ""] else { return nil }
                    room.attributes = plan.row.attributes
                    return room
                }
                if !dryRun {
                    try await work.rooms.insert(creates)
                    try await work.rooms.updateAttributes(updates)
                    try await context.recordChange(work, action: "room.import", objectType: "project", objectID: project.id,
                                                   orgUnitID: project.id,
                                                   changes: AuditChange.diff(before: [:], after: [
                                                       "created": String(creates.count), "updated": String(updates.count),
                                                       "unchanged": String(planned.count - creates.count - updates.count)]),
                                                   groupID: project.groupID)
                    // And each room created or changed, as the single-room routes audit it.
                    let before = Dictionary(uniqueKeysWithValues: existing.values.map { ($0.id, $0.auditFields) })
                    try await context.recordChanges(work, creates.map {
                        ObjectChange(action: "room.create", objectType: "room", objectID: $0.id, orgUnitID: $0.projectID,
                                     changes: AuditChange.diff(before: [:], after: $0.auditFields))
                    } + updates.map {
                        ObjectChange(action: "room.update", objectType: "room", objectID: $0.id, orgUnitID: $0.projectID,
                                     changes: AuditChange.diff(before: before[$0.id] ?? [:], after: $0.auditFields))
                    }, groupID: project.groupID)
                }
                return RoomImportBody(dryRun: dryRun, planned: planned)
            }
            return result
        }
    }

    /// Imports may be larger than other request bodies (20,000 records of CSV fit).
    static let largestImport = 16 << 20

    static func isCSV(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true
    }

    /// The records of an import body: CSV with a header line, or JSON `{"rooms": [{field: value}]}`
    /// whose values are strings, whole numbers or booleans (decimals travel as strings).
    static func records(_ request: Request, _ context: EstateRequestContext) async throws -> [RoomImportRow] {
        var parsed: [(Int, [String: String])] = []
        if isCSV(request) {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: context.maxUploadSize)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw Problem.contentTooLarge(limit: context.maxUploadSize)
            }
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw Problem.badRequest("The CSV is not UTF-8 text.")
            }
            let records: [CSVRecord]
            do { records = try CSV.parse(text) } catch {
                throw Problem.badRequest("The CSV is malformed: \(error.kind.rawValue) at line \(error.line), column \(error.column).",
                                         errors: [.init(field: "body", message: error.kind.rawValue, line: error.line)])
            }
            guard let header = records.first else { throw Problem.badRequest("The CSV is empty; send a header line and records.") }
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            var headerErrors: [Problem.FieldError] = []
            for (index, name) in names.enumerated() {
                if !RoomImport.fields.contains(name) {
                    headerErrors.append(.init(field: name, message: "is not a room field (known: \(RoomImport.fields.joined(separator: ", ")))", line: header.line))
                } else if names[..<index].contains(name) {
                    headerErrors.append(.init(field: name, message: "is a repeated column", line: header.line))
                }
            }
            guard headerErrors.isEmpty else { throw Problem.validation([]).with(errors: headerErrors) }
            var shapeErrors: [Problem.FieldError] = []
            for record in records.dropFirst() {
                if record.fields.count == 1 && record.fields[0].isEmpty { continue }   // blank line
                guard record.fields.count == names.count else {
                    shapeErrors.append(.init(field: "body", message: "has \(record.fields.count) fields where the header has \(names.count)",
                                             line: record.line))
                    continue
                }
                parsed.append((record.line, Dictionary(zip(names, record.fields), uniquingKeysWith: { first, _ in first })))
            }
            guard shapeErrors.isEmpty else { throw Problem.validation([]).with(errors: shapeErrors) }
        } else {
            guard (try? BodyFormat(contentType: request.headers[.contentType])) != nil else {
                throw Problem(status: .unsupportedMediaType, code: "unsupported-media-type",
                              detail: "Send the rooms as text/csv, application/json or application/xml.")
            }
            let body = try await request.decode(as: JSONRoomImport.self, context: context)
            parsed = body.rooms.enumerated().map { ($0.offset, $0.element.mapValues(\.text)) }
        }
        guard (1...RoomImport.maximumRows).contains(parsed.count) else {
            throw Problem.validation([FieldViolation(field: "rooms", message: "must hold 1 to \(RoomImport.maximumRows) records")])
        }
        var rows: [RoomImportRow] = []
        var violations: [ImportViolation] = []
        for (position, fields) in parsed {
            let (row, problems) = RoomImport.parse(fields, position: position)
            if let row { rows.append(row) }
            violations += problems
        }
        guard violations.isEmpty else { throw problem(violations, csv: isCSV(request)) }
        return rows
    }

    /// Every bad record: CSV records by line and field, JSON records as `rooms[i].field`.
    static func problem(_ violations: [ImportViolation], csv: Bool) -> Problem {
        Problem.validation([]).with(errors: violations.map { violation in
            csv ? .init(field: violation.field, message: violation.message, line: violation.position)
                : .init(field: "rooms[\(violation.position)].\(violation.field)", message: violation.message)
        })
    }
}

struct GenerateBuilding: Decodable {
    let code: String
    let name: String
    let phaseId: UUID?
    let lowestFloor: Int?
    let highestFloor: Int
    let skippedFloors: [Int]?
    let entrances: Int?
    let roomsPerFloor: Int
    let numbering: String
    let stacks: [StackInput]

    struct StackInput: Decodable {
        let kind: RoomKind?
        let layout: String?
        let orientation: String?
        let view: String?
        let builtArea: Area?
        let internalArea: Area?
        let pricingBasis: PricingBasis?
    }

    var plan: BuildingPlan {
        BuildingPlan(lowestFloor: lowestFloor ?? 1, highestFloor: highestFloor, skippedFloors: Set(skippedFloors ?? []),
                     entrances: entrances ?? 1, roomsPerFloor: roomsPerFloor, numbering: numbering,
                     stacks: stacks.map { stack in
                         let kind = stack.kind ?? .apartment
                         return StackSpec(kind: kind, layout: stack.layout, orientation: stack.orientation, view: stack.view,
                                          builtArea: stack.builtArea, internalArea: stack.internalArea,
                                          pricingBasis: stack.pricingBasis ?? (kind == .parking || kind == .storage ? .unit : .builtArea))
                     })
    }
}

struct GeneratedBuildingBody: ResponseEncodable {
    struct RoomLine: Encodable, Sendable {
        let id: UUID
        let number: String
        let entrance: Int
        let floor: Int
        let stack: Int
        let kind: RoomKind
        let layout: String?
        let builtAreaForecast: Area?
    }
    let dryRun: Bool
    let building: BuildingBody
    let roomCount: Int
    let rooms: [RoomLine]

    init(dryRun: Bool, building: BuildingBody, rooms: [Room]) {
        self.dryRun = dryRun
        self.building = building
        roomCount = rooms.count
        self.rooms = rooms.map {
            RoomLine(id: $0.id, number: $0.attributes.number, entrance: $0.attributes.entrance, floor: $0.attributes.floor,
                     stack: $0.attributes.stack, kind: $0.attributes.kind, layout: $0.attributes.layout,
                     builtAreaForecast: $0.attributes.areas.builtForecast)
        }
    }
}

/// A JSON import body.
struct JSONRoomImport: Decodable {
    /// A field value: a string, a whole number or a boolean (no binary fractions for areas).
    enum Value: Decodable {
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) { self = .text(value); return }
            if let value = try? container.decode(Int.self) { self = .text(String(value)); return }
            if let value = try? container.decode(Bool.self) { self = .text(String(value)); return }
            if container.decodeNil() { self = .text(""); return }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a string, a whole number or a boolean (send decimals as strings, e.g. \"89.50\")"))
        }

        var text: String {
            switch self { case .text(let value): value }
        }
    }
    let rooms: [[String: Value]]
}

struct RoomImportBody: ResponseEncodable {
    struct Line: Encodable, Sendable {
        /// The CSV line, or the index in the JSON list.
        let position: Int
        let externalCode: String
        let action: RoomImportAction
        let roomId: UUID
    }
    let dryRun: Bool
    let created: Int
    let updated: Int
    let unchanged: Int
    let rooms: [Line]

    init(dryRun: Bool, planned: [PlannedRoomImport]) {
        self.dryRun = dryRun
        let counts = ImportCounts(planned.map(\.action))
        created = counts.created
        updated = counts.updated
        unchanged = counts.unchanged
        rooms = planned.map { Line(position: $0.row.position, externalCode: $0.row.attributes.externalCode ?? "", action: $0.action, roomId: $0.roomID) }
    }
}
