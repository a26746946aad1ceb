import EstateLogic
import Foundation
import PQ

/// How much inventory a seed wrote.
public struct InventoryCounts: Sendable, Hashable {
    public var buildings = 0
    public var rooms = 0
    /// room_status_history rows.
    public var statusChanges = 0
    /// price_list_rooms rows (the same number of room_price_history rows).
    public var pricedRooms = 0
    public var roomsByStatus: [RoomStatus: Int] = [:]

    public init() {}

    static func + (lhs: InventoryCounts, rhs: InventoryCounts) -> InventoryCounts {
        var sum = lhs
        sum.buildings += rhs.buildings
        sum.rooms += rhs.rooms
        sum.statusChanges += rhs.statusChanges
        sum.pricedRooms += rhs.pricedRooms
        sum.roomsByStatus.merge(rhs.roomsByStatus, uniquingKeysWith: +)
        return sum
    }
}

extension UnitOfWork {
    /// Writes a generated project's buildings, rooms, first price list, price and status history,
    /// in bulk (COPY). The project's org unit must exist.
    func load(_ project: SeedProject, groupID: UUID, projectID: UUID, publishedAt: Date) async throws -> InventoryCounts {
        let group = groupID.pqText()
        let projectText = projectID.pqText()
        let priceList = project.priceListID.pqText()
        let rooms = project.rooms
        let priced = rooms.filter { $0.room.listPrice != nil }
        var counts = InventoryCounts()

        counts.buildings = try await transaction.copyIn(
            table: "buildings", columns: ["group_id", "id", "project_id", "code", "name"],
            rows: project.buildings.map { [group, $0.id.pqText(), projectText, $0.code, $0.name] })

        counts.rooms = try await transaction.copyIn(table: "rooms", columns: [
            "group_id", "id", "project_id", "building_id", "entrance", "floor", "stack", "number", "kind", "layout",
            "orientation", "view", "built_area_forecast", "internal_area_forecast", "pricing_basis", "shared_land",
            "status", "hold_reason", "hold_until", "unit_price", "list_price", "floor_price", "price_list_id",
        ]) { writer in
            for seed in rooms {
                let room = seed.room
                let attributes = room.attributes
                try await writer.write([
                    group, room.id.pqText(), projectText, room.buildingID.pqText(), String(attributes.entrance),
                    String(attributes.floor), String(attributes.stack), attributes.number, attributes.kind.rawValue,
                    attributes.layout, attributes.orientation, attributes.view,
                    attributes.areas.builtForecast?.description, attributes.areas.internalForecast?.description,
                    attributes.pricingBasis.rawValue, attributes.sharedLand.pqText(), room.status.rawValue,
                    room.holdReason, room.holdUntil?.pqText(), room.unitPrice?.description, room.listPrice?.description,
                    room.floorPrice?.description, room.priceListID?.pqText(),
                ])
            }
        }

        let total = priced.reduce(Money.zero) { $0 + ($1.room.listPrice ?? .zero) }
        try await transaction.execute("""
            INSERT INTO price_lists (group_id, id, project_id, version, name, run, base_unit_price, room_count, total,
                                     published_by, published_at)
            VALUES (\(groupID), \(project.priceListID), \(projectID), 1, 'Opening price list', '{"seed": true}',
                    \(project.baseUnitPrice.description)::numeric, \(priced.count), \(total.description)::numeric,
                    'system', \(publishedAt))
            """)
        counts.pricedRooms = try await transaction.copyIn(
            table: "price_list_rooms",
            columns: ["group_id", "price_list_id", "room_id", "unit_price", "list_price", "floor_price"],
            rows: priced.lazy.map { seed -> [String?] in
                [group, priceList, seed.room.id.pqText(), seed.room.unitPrice?.description,
                 seed.room.listPrice?.description, seed.room.floorPrice?.description]
            })
        let published = publishedAt.pqText()
        _ = try await transaction.copyIn(table: "room_price_history", columns: [
            "group_id", "id", "room_id", "unit_price", "list_price", "floor_price", "price_list_id", "reason", "actor", "at",
        ]) { writer in
            for seed in priced {
                try await writer.write([
                    group, UUIDv7.make().pqText(), seed.room.id.pqText(), seed.room.unitPrice?.description,
                    seed.room.listPrice?.description, seed.room.floorPrice?.description, priceList,
                    "price list 1 published", AuditActor.system.historyText, published,
                ])
            }
        }
        counts.statusChanges = try await transaction.copyIn(table: "room_status_history", columns: [
            "group_id", "id", "room_id", "from_status", "to_status", "event", "actor", "reason", "hold_until", "at",
        ]) { writer in
            for seed in rooms {
                for change in seed.history {
                    try await writer.write([
                        group, UUIDv7.make(at: change.at).pqText(), seed.room.id.pqText(), change.from.rawValue,
                        change.to.rawValue, change.event.rawValue, AuditActor.system.historyText, change.reason, change.holdUntil?.pqText(),
                        change.at.pqText(),
                    ])
                }
            }
        }
        for seed in rooms { counts.roomsByStatus[seed.room.status, default: 0] += 1 }
        return counts
    }
}
