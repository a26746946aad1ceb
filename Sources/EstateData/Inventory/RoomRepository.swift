import EstateLogic
import Foundation
import PQ

/// Filters of a room search; nil means "any".
public struct RoomQuery: Sendable {
    public var projectID: UUID?
    public var buildingID: UUID?
    public var kinds: [RoomKind] = []
    public var statuses: [RoomStatus] = []
    public var layout: String?
    public var orientation: String?
    public var minFloor: Int?
    public var maxFloor: Int?
    public var minArea: Area?
    public var maxArea: Area?
    public var minPrice: Money?
    public var maxPrice: Money?
    public init() {}
}

/// One cell of a building grid: just what a sales-office screen shows.
public struct GridCell: Sendable, Hashable {
    public var id: UUID
    public var number: String
    public var entrance: Int
    public var floor: Int
    public var stack: Int
    public var kind: RoomKind
    public var status: RoomStatus
    public var layout: String?
    public var builtArea: Area?
    public var unitPrice: Money?
    public var listPrice: Money?

    public init(id: UUID, number: String, entrance: Int, floor: Int, stack: Int, kind: RoomKind, status: RoomStatus,
                layout: String?, builtArea: Area?, unitPrice: Money?, listPrice: Money?) {
        self.id = id
        self.number = number
        self.entrance = entrance
        self.floor = floor
        self.stack = stack
        self.kind = kind
        self.status = status
        self.layout = layout
        self.builtArea = builtArea
        self.unitPrice = unitPrice
        self.listPrice = listPrice
    }
}

/// Counts, areas and list value of a set of rooms with one status and kind (in one building).
public struct InventoryTally: Sendable, Hashable {
    public var buildingID: UUID
    public var status: RoomStatus
    public var kind: RoomKind
    public var rooms: Int
    public var builtArea: Area
    public var listValue: Money
}

/// Rooms, their status history and current prices.
public struct RoomRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        r.group_id, r.id, r.project_id, r.building_id, r.external_code, r.entrance, r.floor, r.stack, r.number, r.kind,
        r.layout, r.orientation, r.view, r.built_area_forecast, r.internal_area_forecast, r.built_area_actual,
        r.internal_area_actual, r.pricing_basis, r.shared_land, r.status, r.hold_reason, r.hold_until, r.unit_price,
        r.list_price, r.floor_price, r.price_list_id, r.version, o.path
        """
    static let from: SQL = "rooms r JOIN org_units o ON o.group_id = r.group_id AND o.id = r.project_id"

    static func decode(_ row: PQRow) throws -> Room {
        func value<T: RawRepresentable<String>>(_ column: String, _ type: T.Type) throws -> T {
            let text: String = try row.decode(column)
            guard let value = T(rawValue: text) else { throw DataError.internalFailure("room with unknown \(column) \(text)") }
            return value
        }
        let attributes = RoomAttributes(
            number: try row.decode("number"), entrance: try row.decode("entrance"), floor: try row.decode("floor"),
            stack: try row.decode("stack"), kind: try value("kind", RoomKind.self), layout: try row.decode("layout"),
            orientation: try row.decode("orientation"), view: try row.decode("view"),
            areas: RoomAreas(builtForecast: try row.decode("built_area_forecast"), internalForecast: try row.decode("internal_area_forecast"),
                             builtActual: try row.decode("built_area_actual"), internalActual: try row.decode("internal_area_actual")),
            pricingBasis: try value("pricing_basis", PricingBasis.self), sharedLand: try row.decode("shared_land"),
            externalCode: try row.decode("external_code"))
        return Room(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                    buildingID: try row.decode("building_id"), attributes: attributes, status: try value("status", RoomStatus.self),
                    holdReason: try row.decode("hold_reason"), holdUntil: try row.decode("hold_until"),
                    unitPrice: try row.decode("unit_price"), listPrice: try row.decode("list_price"),
                    floorPrice: try row.decode("floor_price"), priceListID: try row.decode("price_list_id"),
                    version: try row.decode("version"), projectPath: try row.decode("path"))
    }

    /// The attributes of rooms as one JSON array for `jsonb_to_recordset` (one statement for any number of rooms).
    static func recordset(_ rooms: [Room]) throws -> PQJSON {
        struct Record: Encodable {
            let group_id, id, project_id, building_id: UUID
            let external_code: String?
            let entrance, floor, stack: Int
            let number, kind: String
            let layout, orientation, view: String?
            let built_area_forecast, internal_area_forecast, built_area_actual, internal_area_actual: Area?
            let pricing_basis: String
            let shared_land: Bool
        }
        let records = rooms.map { room in
            let a = room.attributes
            return Record(group_id: room.groupID, id: room.id, project_id: room.projectID, building_id: room.buildingID,
                          external_code: a.externalCode, entrance: a.entrance, floor: a.floor, stack: a.stack, number: a.number,
                          kind: a.kind.rawValue, layout: a.layout, orientation: a.orientation, view: a.view,
                          built_area_forecast: a.areas.builtForecast, internal_area_forecast: a.areas.internalForecast,
                          built_area_actual: a.areas.builtActual, internal_area_actual: a.areas.internalActual,
                          pricing_basis: a.pricingBasis.rawValue, shared_land: a.sharedLand)
        }
        return try PQJSON(encoding: records)
    }

    static let recordColumns: SQL = """
        group_id uuid, id uuid, project_id uuid, building_id uuid, external_code text, entrance int, floor int, stack int,
        number text, kind text, layout text, orientation text, view text, built_area_forecast numeric, internal_area_forecast numeric,
        built_area_actual numeric, internal_area_actual numeric, pricing_basis text, shared_land boolean
        """
    static let attributeList = [
        "external_code", "entrance", "floor", "stack", "number", "kind", "layout", "orientation", "view", "built_area_forecast",
        "internal_area_forecast", "built_area_actual", "internal_area_actual", "pricing_basis", "shared_land"]
    static let attributeNames: SQL = "\(unsafeRaw: attributeList.joined(separator: ", "))"
    static let recordAttributes: SQL = "\(unsafeRaw: attributeList.map { "x." + $0 }.joined(separator: ", "))"

    /// Turns clashes on a room's number or external code into ``InventoryError/codeTaken(object:field:code:)``.
    @discardableResult
    private func refusingDuplicates<T>(_ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "rooms_number_key" {
            throw InventoryError.codeTaken(object: "room", field: "number", code: Self.duplicateValue(error))
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "rooms_external_code_key" {
            throw InventoryError.codeTaken(object: "room", field: "externalCode", code: Self.duplicateValue(error))
        }
    }

    /// The clashing value from PostgreSQL's detail `Key (group_id, building_id, number)=(…, …, 1203) already exists.`
    static func duplicateValue(_ error: PQError) -> String {
        guard let detail = error.detail, let open = detail.range(of: ")=("),
              let close = detail.range(of: ") already exists") else { return "" }
        return String(detail[open.upperBound..<close.lowerBound].split(separator: ", ").last ?? "")
    }

    /// Inserts rooms (any number, one statement); they start not released and unpriced.
    public func insert(_ rooms: [Room]) async throws {
        guard !rooms.isEmpty else { return }
        let records = try Self.recordset(rooms)
        try await refusingDuplicates {
            try await transaction.execute("""
                INSERT INTO rooms (group_id, id, project_id, building_id, \(Self.attributeNames))
                SELECT group_id, id, project_id, building_id, \(Self.attributeNames)
                FROM jsonb_to_recordset(\(records)::jsonb) AS x(\(Self.recordColumns))
                """)
        }
    }

    /// Stores changed attributes of rooms read (and locked) at their versions; throws ``VersionConflict`` when one moved on.
    public func updateAttributes(_ rooms: [Room]) async throws {
        guard !rooms.isEmpty else { return }
        let records = try Self.recordset(rooms)
        let versions = rooms.map(\.version)
        let ids = rooms.map(\.id)
        let updated = try await refusingDuplicates {
            try await transaction.execute("""
                UPDATE rooms r SET (\(Self.attributeNames)) = (SELECT \(Self.recordAttributes)),
                       version = r.version + 1, updated_at = now()
                FROM jsonb_to_recordset(\(records)::jsonb) AS x(\(Self.recordColumns)),
                     unnest(\(ids)::uuid[], \(versions)::int[]) AS v(id, version)
                WHERE r.group_id = x.group_id AND r.id = x.id AND v.id = x.id AND r.version = v.version
                """)
        }
        guard updated == rooms.count else { throw VersionConflict(object: "room", current: rooms[0].version) }
    }

    public func delete(_ room: Room) async throws {
        let history = try await transaction.query("""
            SELECT 1 FROM room_status_history WHERE group_id = \(room.groupID) AND room_id = \(room.id)
            UNION ALL SELECT 1 FROM room_price_history WHERE group_id = \(room.groupID) AND room_id = \(room.id) LIMIT 1
            """)
        guard history.isEmpty else { throw InventoryError.roomTaken(roomID: room.id, current: room.status) }
        try await transaction.execute("DELETE FROM rooms WHERE group_id = \(room.groupID) AND id = \(room.id) AND version = \(room.version)")
    }

    public func find(groupID: UUID, id: UUID) async throws -> Room? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.id = \(id)")
            .firstRow.map(Self.decode)
    }

    /// Locks a room for a change; nil when it does not exist.
    public func lock(groupID: UUID, id: UUID) async throws -> Room? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.id = \(id) FOR UPDATE OF r")
            .firstRow.map(Self.decode)
    }

    static func locking(_ forUpdate: Bool) -> SQL { forUpdate ? "FOR UPDATE OF r" : "" }

    /// Rooms by id, locked unless `forUpdate` is false (in id order, so that concurrent lockers
    /// cannot deadlock); missing ids are simply absent.
    public func lock(groupID: UUID, ids: [UUID], forUpdate: Bool = true) async throws -> [Room] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.id = ANY(\(ids)::uuid[])
            ORDER BY r.id \(Self.locking(forUpdate))
            """).map(Self.decode)
    }

    /// The rooms of a project, or of some of its buildings, in id order, locked unless `forUpdate` is false.
    public func lock(groupID: UUID, projectID: UUID, buildingIDs: [UUID], forUpdate: Bool = true) async throws -> [Room] {
        let buildings: SQL = buildingIDs.isEmpty ? "" : "AND r.building_id = ANY(\(buildingIDs)::uuid[])"
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE r.group_id = \(groupID) AND r.project_id = \(projectID) \(buildings)
            ORDER BY r.id \(Self.locking(forUpdate))
            """).map(Self.decode)
    }

    /// The rooms of a project with the given external codes, locked, by code.
    public func lock(groupID: UUID, projectID: UUID, externalCodes: [String]) async throws -> [String: Room] {
        let rooms = try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE r.group_id = \(groupID) AND r.project_id = \(projectID) AND r.external_code = ANY(\(externalCodes)::text[])
            ORDER BY r.id FOR UPDATE OF r
            """).map(Self.decode)
        return Dictionary(rooms.map { ($0.attributes.externalCode ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Which room holds each number, per building.
    public func numberOwners(groupID: UUID, buildingIDs: [UUID]) async throws -> [UUID: [String: UUID]] {
        var owners: [UUID: [String: UUID]] = [:]
        let rows = try await transaction.query("""
            SELECT building_id, number, id FROM rooms WHERE group_id = \(groupID) AND building_id = ANY(\(buildingIDs)::uuid[])
            """)
        for row in rows {
            owners[try row.decode("building_id", as: UUID.self), default: [:]][try row.decode("number", as: String.self)] = try row.decode("id", as: UUID.self)
        }
        return owners
    }

    // MARK: Sales control

    /// Applies a status change computed by ``SalesControl`` to a room read (and locked) in `change.from`,
    /// with its history row and its `room.status_changed` event, and returns the stored room. The update is conditional on the status, so
    /// that even an unlocked caller cannot apply a stale change.
    public func changeStatus(_ room: Room, _ change: RoomStatusChange) async throws -> Room {
        let holdReason = change.to == .held ? change.reason : nil
        let holdUntil = change.to == .held ? change.holdUntil : nil
        guard let row = try await transaction.query("""
            WITH changed AS (
                UPDATE rooms SET status = \(change.to.rawValue), hold_reason = \(holdReason), hold_until = \(holdUntil),
                       version = version + 1, updated_at = now()
                WHERE group_id = \(room.groupID) AND id = \(room.id) AND status = \(change.from.rawValue)
                RETURNING *)
            SELECT \(Self.columns) FROM changed r JOIN org_units o ON o.group_id = r.group_id AND o.id = r.project_id
            """).firstRow else {
            let current = try await find(groupID: room.groupID, id: room.id)?.status ?? room.status
            throw InventoryError.illegalTransition(roomID: room.id, current: current, event: change.event)
        }
        try await appendHistory(groupID: room.groupID, [change])
        try await EventOutbox(transaction: transaction).append(RoomStatusChanged(
            roomId: room.id, projectId: room.projectID, buildingId: room.buildingID, number: room.attributes.number, from: change.from,
            to: change.to, event: change.event, reason: change.reason, holdUntil: holdUntil, dealId: change.dealID), groupID: room.groupID)
        return try Self.decode(row)
    }

    /// Appends status-history rows (one statement).
    func appendHistory(groupID: UUID, _ changes: [RoomStatusChange]) async throws {
        struct Record: Encodable {
            let id, room_id: UUID
            let from_status, to_status, event, actor: String
            let reason: String?
            /// As PostgreSQL's own text (JSON has no timestamp type).
            let hold_until: String?
            let deal_id: UUID?
        }
        let records = changes.map {
            Record(id: $0.id, room_id: $0.roomID, from_status: $0.from.rawValue, to_status: $0.to.rawValue, event: $0.event.rawValue,
                   actor: $0.actor, reason: $0.reason, hold_until: $0.holdUntil?.pqText(), deal_id: $0.dealID)
        }
        let json = try PQJSON(encoding: records)
        try await transaction.execute("""
            INSERT INTO room_status_history (group_id, id, room_id, from_status, to_status, event, actor, reason, hold_until, deal_id)
            SELECT \(groupID), id, room_id, from_status, to_status, event, actor, reason, hold_until, deal_id
            FROM jsonb_to_recordset(\(json)::jsonb) AS x(id uuid, room_id uuid, from_status text, to_status text, event text,
                                                       actor text, reason text, hold_until timestamptz, deal_id uuid)
            """)
    }

    /// A room's status history, oldest first.
    public func statusHistory(groupID: UUID, roomID: UUID) async throws -> [RoomStatusChange] {
        try await transaction.query("""
            SELECT id, room_id, from_status, to_status, event, actor, reason, hold_until, deal_id, at
            FROM room_status_history WHERE group_id = \(groupID) AND room_id = \(roomID) ORDER BY at, id
            """).map { row in
                guard let from = RoomStatus(rawValue: try row.decode("from_status")), let to = RoomStatus(rawValue: try row.decode("to_status")),
                      let event = SalesControlEvent(rawValue: try row.decode("event")) else {
                    throw DataError.internalFailure("status history row with unknown values")
                }
                return RoomStatusChange(id: try row.decode("id"), roomID: try row.decode("room_id"), from: from, to: to, event: event,
                                        actor: try row.decode("actor"), reason: try row.decode("reason"),
                                        holdUntil: try row.decode("hold_until"), dealID: try row.decode("deal_id"), at: try row.decode("at"))
            }
    }

    /// Held rooms of every group whose hold ended at or before `now`, locked (skipping rooms another
    /// transaction holds), at most `limit`.
    public func lockExpiredHolds(now: Date, limit: Int) async throws -> [Room] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE r.status = 'held' AND r.hold_until <= \(now)
            ORDER BY r.hold_until LIMIT \(limit) FOR UPDATE OF r SKIP LOCKED
            """).map(Self.decode)
    }

    // MARK: Reading

    /// The grid of a building: every room, top floor first, then entrance and stack.
    public func grid(groupID: UUID, buildingID: UUID) async throws -> [GridCell] {
        try await transaction.query("""
            SELECT id, number, entrance, floor, stack, kind, status, layout,
                   coalesce(built_area_actual, built_area_forecast) AS built_area, unit_price, list_price
            FROM rooms WHERE group_id = \(groupID) AND building_id = \(buildingID)
            ORDER BY floor DESC, entrance, stack
            """).map { row in
                // By position (the column list above): the grid is the hottest read of the API.
                guard let kind = RoomKind(rawValue: try row.decode(at: 5)), let status = RoomStatus(rawValue: try row.decode(at: 6)) else {
                    throw DataError.internalFailure("room with unknown kind or status")
                }
                return GridCell(id: try row.decode(at: 0), number: try row.decode(at: 1), entrance: try row.decode(at: 2),
                                floor: try row.decode(at: 3), stack: try row.decode(at: 4), kind: kind, status: status,
                                layout: try row.decode(at: 7), builtArea: try row.decode(at: 8),
                                unitPrice: try row.decode(at: 9), listPrice: try row.decode(at: 10))
            }
    }

    /// Rooms matching `query` in projects at or below `roots`, in id order after `cursor`.
    public func search(groupID: UUID, under roots: [UUID], _ query: RoomQuery, after cursor: UUID?, limit: Int) async throws -> [Room] {
        var filters: [SQL] = []
        if let id = query.projectID { filters.append("r.project_id = \(id)") }
        if let id = query.buildingID { filters.append("r.building_id = \(id)") }
        if !query.kinds.isEmpty { filters.append("r.kind = ANY(\(query.kinds.map(\.rawValue))::text[])") }
        if !query.statuses.isEmpty { filters.append("r.status = ANY(\(query.statuses.map(\.rawValue))::text[])") }
        if let layout = query.layout { filters.append("r.layout = \(layout)") }
        if let orientation = query.orientation { filters.append("r.orientation = \(orientation)") }
        if let floor = query.minFloor { filters.append("r.floor >= \(floor)") }
        if let floor = query.maxFloor { filters.append("r.floor <= \(floor)") }
        if let area = query.minArea { filters.append("coalesce(r.built_area_actual, r.built_area_forecast) >= \(area)") }
        if let area = query.maxArea { filters.append("coalesce(r.built_area_actual, r.built_area_forecast) <= \(area)") }
        if let price = query.minPrice { filters.append("r.list_price >= \(price)") }
        if let price = query.maxPrice { filters.append("r.list_price <= \(price)") }
        if let cursor { filters.append("r.id > \(cursor)") }
        var condition: SQL = "r.group_id = \(groupID) AND o.path && \(roots)"
        for filter in filters { condition = "\(condition) AND \(filter)" }
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE \(condition) ORDER BY r.id LIMIT \(limit)")
            .map(Self.decode)
    }

    /// Counts, built areas and list values of a project's rooms by building, status and kind.
    public func tally(groupID: UUID, projectID: UUID) async throws -> [InventoryTally] {
        try await transaction.query("""
            SELECT building_id, status, kind, count(*) AS rooms,
                   coalesce(sum(coalesce(built_area_actual, built_area_forecast)), 0) AS built_area,
                   coalesce(sum(list_price), 0) AS list_value
            FROM rooms WHERE group_id = \(groupID) AND project_id = \(projectID)
            GROUP BY building_id, status, kind ORDER BY building_id, status, kind
            """).map { row in
                guard let status = RoomStatus(rawValue: try row.decode("status")), let kind = RoomKind(rawValue: try row.decode("kind")) else {
                    throw DataError.internalFailure("room with unknown kind or status")
                }
                return InventoryTally(buildingID: try row.decode("building_id"), status: status, kind: kind,
                                      rooms: try row.decode("rooms"), builtArea: try row.decode("built_area"),
                                      listValue: try row.decode("list_value"))
            }
    }
}

extension UnitOfWork {
    public var rooms: RoomRepository { RoomRepository(transaction: transaction) }
}
