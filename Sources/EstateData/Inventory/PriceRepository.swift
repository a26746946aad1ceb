import EstateLogic
import Foundation
import PQ

/// Price lists, current room prices and their history.
public struct PriceRepository: Sendable {
    let transaction: PQTransaction

    static let listColumns: SQL = """
        l.group_id, l.id, l.project_id, l.version, l.name, l.run::text AS run, l.base_unit_price, l.room_count, l.total,
        l.published_by, l.published_at, o.path
        """

    static func decodeList(_ row: PQRow) throws -> PriceList {
        PriceList(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                  version: try row.decode("version"), name: try row.decode("name"), run: try row.decode("run"),
                  baseUnitPrice: try row.decode("base_unit_price"), roomCount: try row.decode("room_count"),
                  total: try row.decode("total"), publishedBy: try row.decode("published_by"),
                  publishedAt: try row.decode("published_at"), projectPath: try row.decode("path"))
    }

    /// The next version number of a project's price list, with the project locked against
    /// concurrent publishing until the transaction ends.
    public func nextVersion(groupID: UUID, projectID: UUID) async throws -> Int {
        try await transaction.execute("SELECT 1 FROM org_units WHERE group_id = \(groupID) AND id = \(projectID) FOR NO KEY UPDATE")
        return try await transaction.query("""
            SELECT coalesce(max(version), 0) + 1 AS next FROM price_lists WHERE group_id = \(groupID) AND project_id = \(projectID)
            """).firstRow?.decode("next") ?? 1
    }

    /// Stores a published price list with its room prices.
    public func insert(_ list: PriceList, prices: [RoomPrice]) async throws {
        try await transaction.execute("""
            INSERT INTO price_lists (group_id, id, project_id, version, name, run, base_unit_price, room_count, total, published_by, published_at)
            VALUES (\(list.groupID), \(list.id), \(list.projectID), \(list.version), \(list.name), \(PQJSON(text: list.run))::jsonb,
                    \(list.baseUnitPrice), \(list.roomCount), \(list.total), \(list.publishedBy), \(list.publishedAt))
            """)
        let json = try Self.recordset(prices)
        try await transaction.execute("""
            INSERT INTO price_list_rooms (group_id, price_list_id, room_id, unit_price, list_price, floor_price)
            SELECT \(list.groupID), \(list.id), room_id, unit_price, list_price, floor_price
            FROM jsonb_to_recordset(\(json)::jsonb) AS x(\(Self.recordColumns))
            """)
    }

    /// Room prices as one JSON array for `jsonb_to_recordset`, each with a fresh history-row id.
    static func recordset(_ prices: [RoomPrice]) throws -> PQJSON {
        struct Record: Encodable {
            let room_id, history_id: UUID
            let unit_price, list_price: Money
            let floor_price: Money?
        }
        let records = prices.map {
            Record(room_id: $0.roomID, history_id: UUIDv7.make(), unit_price: $0.unitPrice, list_price: $0.listPrice, floor_price: $0.floorPrice)
        }
        return try PQJSON(encoding: records)
    }

    static let recordColumns: SQL = "room_id uuid, history_id uuid, unit_price numeric, list_price numeric, floor_price numeric"

    /// Makes `prices` the rooms' current prices (rooms locked by the caller) and appends their history rows.
    public func apply(groupID: UUID, _ prices: [RoomPrice], priceListID: UUID?, reason: String, actor: String) async throws {
        guard !prices.isEmpty else { return }
        let json = try Self.recordset(prices)
        try await transaction.execute("""
            UPDATE rooms r SET unit_price = x.unit_price, list_price = x.list_price, floor_price = x.floor_price,
                   price_list_id = \(priceListID), version = r.version + 1, updated_at = now()
            FROM jsonb_to_recordset(\(json)::jsonb) AS x(\(Self.recordColumns))
            WHERE r.group_id = \(groupID) AND r.id = x.room_id
            """)
        try await transaction.execute("""
            INSERT INTO room_price_history (group_id, id, room_id, unit_price, list_price, floor_price, price_list_id, reason, actor)
            SELECT \(groupID), x.history_id, x.room_id, x.unit_price, x.list_price, x.floor_price, \(priceListID), \(reason), \(actor)
            FROM jsonb_to_recordset(\(json)::jsonb) AS x(\(Self.recordColumns))
            """)
    }

    /// A project's price lists, newest first.
    public func lists(groupID: UUID, projectID: UUID) async throws -> [PriceList] {
        try await transaction.query("""
            SELECT \(Self.listColumns) FROM price_lists l JOIN org_units o ON o.group_id = l.group_id AND o.id = l.project_id
            WHERE l.group_id = \(groupID) AND l.project_id = \(projectID) ORDER BY l.version DESC
            """).map(Self.decodeList)
    }

    public func list(groupID: UUID, id: UUID) async throws -> PriceList? {
        try await transaction.query("""
            SELECT \(Self.listColumns) FROM price_lists l JOIN org_units o ON o.group_id = l.group_id AND o.id = l.project_id
            WHERE l.group_id = \(groupID) AND l.id = \(id)
            """).firstRow.map(Self.decodeList)
    }

    /// The room prices of a price list, by room number.
    public func prices(groupID: UUID, priceListID: UUID) async throws -> [RoomPrice] {
        try await transaction.query("""
            SELECT p.room_id, p.unit_price, p.list_price, p.floor_price
            FROM price_list_rooms p JOIN rooms r ON r.group_id = p.group_id AND r.id = p.room_id
            WHERE p.group_id = \(groupID) AND p.price_list_id = \(priceListID) ORDER BY r.building_id, r.number
            """).map { row in
                RoomPrice(roomID: try row.decode("room_id"), unitPrice: try row.decode("unit_price"),
                          listPrice: try row.decode("list_price"), floorPrice: try row.decode("floor_price"))
            }
    }

    /// A room's price history, oldest first.
    public func history(groupID: UUID, roomID: UUID) async throws -> [RoomPriceChange] {
        try await transaction.query("""
            SELECT id, room_id, unit_price, list_price, floor_price, price_list_id, reason, actor, at
            FROM room_price_history WHERE group_id = \(groupID) AND room_id = \(roomID) ORDER BY at, id
            """).map { row in
                RoomPriceChange(id: try row.decode("id"),
                                price: RoomPrice(roomID: try row.decode("room_id"), unitPrice: try row.decode("unit_price"),
                                                 listPrice: try row.decode("list_price"), floorPrice: try row.decode("floor_price")),
                                priceListID: try row.decode("price_list_id"), reason: try row.decode("reason"),
                                actor: try row.decode("actor"), at: try row.decode("at"))
            }
    }
}

extension UnitOfWork {
    public var prices: PriceRepository { PriceRepository(transaction: transaction) }
}
