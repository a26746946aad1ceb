import EstateData
import EstateLogic
import Foundation
import Hummingbird
import HTTPTypes

/// What sales offices look at: the building grid, the room search, the project's inventory summary.
struct GridController {
    let database: Database
    let cache: GridCache

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/buildings/{id}/grid", access: .permission(.roomsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            // Read without a transaction: the versions are read before the rooms, so a change in
            // between can only make the ETag older than the content (the next poll fetches again).
            let (building, body) = try await database.read { work -> (Building, ByteBuffer?) in
                let building = try await context.inventory.building(work, id, .roomsRead)
                if Self.matches(request.headers[.ifNoneMatch], Self.etag(building)) { return (building, nil) }
                if let cached = cache.body(for: building) { return (building, cached) }
                let cells = try await work.rooms.grid(groupID: building.groupID, buildingID: building.id)
                let body = ByteBuffer(bytes: GridBody(building: building, cells: cells).json())
                cache.store(body, for: building)
                return (building, body)
            }
            let etag = Self.etag(building)
            guard let body else {
                return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "no-cache"])
            }
            return try EstateResponseEncoder.response(json: body, headers: [.eTag: etag, .cacheControl: "no-cache"],
                                                      from: request, context: context)
        }
        routes.add(.get, "/v1/rooms", access: .permission(.roomsRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let query = try Self.roomQuery(request)
            let roots = Array(caller.scope.units(with: .roomsRead))
            let rooms = try await database.unitOfWork { work in
                try await work.rooms.search(groupID: caller.groupID, under: roots, query, after: page.after, limit: page.limit)
            }
            return Page(items: rooms.map(RoomBody.init), nextCursor: page.nextCursor(after: rooms, lastID: rooms.last?.id))
        }
        routes.add(.get, "/v1/projects/{id}/inventory", access: .permission(.roomsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let (buildings, tallies) = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .roomsRead)
                return (try await work.buildings.list(groupID: project.groupID, projectID: project.id),
                        try await work.rooms.tally(groupID: project.groupID, projectID: project.id))
            }
            return InventorySummaryBody(projectID: id, buildings: buildings, tallies: tallies)
        }
    }

    /// `"g<grid version>.<version>"`: changes with any room of the building and with the building itself.
    static func etag(_ building: Building) -> String { "\"g\(building.gridVersion).\(building.version)\"" }

    /// Whether `If-None-Match` names `etag` (or is `*`); weak comparison, as RFC 9110 asks for GET.
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    /// The filters of `GET /v1/rooms`; a malformed one is a 400 naming the parameter.
    static func roomQuery(_ request: Request) throws -> RoomQuery {
        var reader = QueryReader(request)
        var query = RoomQuery()
        query.projectID = reader.uuid("projectId")
        query.buildingID = reader.uuid("buildingId")
        query.kinds = reader.values("kind", of: RoomKind.self)
        query.statuses = reader.values("status", of: RoomStatus.self)
        let code = "must be 1 to 64 characters without control characters"
        query.layout = reader.parsed("layout", code) { RoomAttributes.isCode($0) ? $0 : nil }
        query.orientation = reader.parsed("orientation", code) { RoomAttributes.isCode($0) ? $0 : nil }
        let floor: (String) -> Int? = { Int($0).flatMap { (-1000...1000).contains($0) ? $0 : nil } }
        query.minFloor = reader.parsed("floorMin", "must be a whole number from -1000 to 1000", floor)
        query.maxFloor = reader.parsed("floorMax", "must be a whole number from -1000 to 1000", floor)
        query.minArea = reader.parsed("areaMin", "must be an area such as 89.5") { Area($0) }
        query.maxArea = reader.parsed("areaMax", "must be an area such as 120") { Area($0) }
        query.minPrice = reader.parsed("priceMin", "must be an amount such as 1500000") { Money($0) }
        query.maxPrice = reader.parsed("priceMax", "must be an amount such as 3000000.50") { Money($0) }
        try reader.finish()
        return query
    }
}

/// The building grid: floors (top first) × entrances, each cell a room.
struct GridBody: ResponseEncodable {
    struct Cell: Encodable, Sendable {
        let id: UUID
        let number: String
        let stack: Int
        let kind: RoomKind
        let status: RoomStatus
        let layout: String?
        let builtArea: Area?
        let unitPrice: Money?
        let listPrice: Money?
    }
    struct EntranceRow: Encodable, Sendable {
        let entrance: Int
        let rooms: [Cell]
    }
    struct FloorRow: Encodable, Sendable {
        let floor: Int
        let entrances: [EntranceRow]
    }

    let buildingId: UUID
    let code: String
    let name: String
    let currency = "CNY"
    let entrances: [Int]
    let floors: [FloorRow]

    init(building: Building, cells: [GridCell]) {
        buildingId = building.id
        code = building.code
        name = building.name
        entrances = Array(Set(cells.map(\.entrance))).sorted()
        var floors: [FloorRow] = []
        var index = cells.startIndex
        while index < cells.endIndex {   // cells come ordered by floor (top first), entrance, stack
            let floor = cells[index].floor
            var rows: [EntranceRow] = []
            while index < cells.endIndex && cells[index].floor == floor {
                let entrance = cells[index].entrance
                var rooms: [Cell] = []
                while index < cells.endIndex && cells[index].floor == floor && cells[index].entrance == entrance {
                    let c = cells[index]
                    rooms.append(Cell(id: c.id, number: c.number, stack: c.stack, kind: c.kind, status: c.status, layout: c.layout,
                                      builtArea: c.builtArea, unitPrice: c.unitPrice, listPrice: c.listPrice))
                    index += 1
                }
                rows.append(EntranceRow(entrance: entrance, rooms: rooms))
            }
            floors.append(FloorRow(floor: floor, entrances: rows))
        }
        self.floors = floors
    }

    /// The same document `JSONEncoder` (sorted keys) makes of this body, written directly (see ``JSONBytes``).
    func json() -> [UInt8] {
        var out = JSONBytes(capacity: 256 + floors.reduce(0) { $0 + $1.entrances.reduce(0) { $0 + $1.rooms.count } } * 230)
        out.raw("{\"buildingId\":")
        out.uuid(buildingId)
        out.raw(",\"code\":")
        out.string(code)
        out.raw(",\"currency\":")
        out.string(currency)
        out.raw(",\"entrances\":[")
        for (index, entrance) in entrances.enumerated() {
            if index > 0 { out.raw(",") }
            out.int(entrance)
        }
        out.raw("],\"floors\":[")
        for (floorIndex, floor) in floors.enumerated() {
            if floorIndex > 0 { out.raw(",") }
            out.raw("{\"entrances\":[")
            for (rowIndex, row) in floor.entrances.enumerated() {
                if rowIndex > 0 { out.raw(",") }
                out.raw("{\"entrance\":")
                out.int(row.entrance)
                out.raw(",\"rooms\":[")
                for (cellIndex, cell) in row.rooms.enumerated() {
                    if cellIndex > 0 { out.raw(",") }
                    out.raw("{")
                    if let area = cell.builtArea {
                        out.raw("\"builtArea\":")
                        out.fixed(area.hundredths, scale: Area.scale)
                        out.raw(",")
                    }
                    out.raw("\"id\":")
                    out.uuid(cell.id)
                    out.raw(",\"kind\":")
                    out.string(cell.kind.rawValue)
                    if let layout = cell.layout {
                        out.raw(",\"layout\":")
                        out.string(layout)
                    }
                    if let price = cell.listPrice {
                        out.raw(",\"listPrice\":")
                        out.fixed(price.minorUnits, scale: Money.scale)
                    }
                    out.raw(",\"number\":")
                    out.string(cell.number)
                    out.raw(",\"stack\":")
                    out.int(cell.stack)
                    out.raw(",\"status\":")
                    out.string(cell.status.rawValue)
                    if let price = cell.unitPrice {
                        out.raw(",\"unitPrice\":")
                        out.fixed(price.minorUnits, scale: Money.scale)
                    }
                    out.raw("}")
                }
                out.raw("]}")
            }
            out.raw("],\"floor\":")
            out.int(floor.floor)
            out.raw("}")
        }
        out.raw("],\"name\":")
        out.string(name)
        out.raw("}")
        return out.bytes
    }
}

/// Counts, built areas and list values of a project's rooms: in total, by status, by kind, by building.
struct InventorySummaryBody: ResponseEncodable {
    struct Figures: Encodable, Sendable {
        var rooms = 0
        var builtArea = Area.zero
        var listValue = Money.zero

        mutating func add(_ tally: InventoryTally) {
            rooms += tally.rooms
            builtArea = builtArea + tally.builtArea
            listValue = listValue + tally.listValue
        }
    }
    struct StatusFigures: Encodable, Sendable {
        let status: RoomStatus
        let figures: Figures
    }
    struct KindFigures: Encodable, Sendable {
        let kind: RoomKind
        let figures: Figures
    }
    struct BuildingFigures: Encodable, Sendable {
        let buildingId: UUID
        let code: String
        let name: String
        let total: Figures
        let byStatus: [StatusFigures]
    }

    let projectId: UUID
    let currency = "CNY"
    let total: Figures
    let byStatus: [StatusFigures]
    let byKind: [KindFigures]
    let byBuilding: [BuildingFigures]

    init(projectID: UUID, buildings: [Building], tallies: [InventoryTally]) {
        projectId = projectID
        func sum(_ tallies: [InventoryTally]) -> Figures {
            var figures = Figures()
            for tally in tallies { figures.add(tally) }
            return figures
        }
        func byStatus(_ tallies: [InventoryTally]) -> [StatusFigures] {
            RoomStatus.allCases.compactMap { status in
                let matching = tallies.filter { $0.status == status }
                return matching.isEmpty ? nil : StatusFigures(status: status, figures: sum(matching))
            }
        }
        total = sum(tallies)
        self.byStatus = byStatus(tallies)
        byKind = RoomKind.allCases.compactMap { kind in
            let matching = tallies.filter { $0.kind == kind }
            return matching.isEmpty ? nil : KindFigures(kind: kind, figures: sum(matching))
        }
        byBuilding = buildings.map { building in
            let matching = tallies.filter { $0.buildingID == building.id }
            return BuildingFigures(buildingId: building.id, code: building.code, name: building.name,
                                   total: sum(matching), byStatus: byStatus(matching))
        }
    }
}
