@testable import EstateData
import EstateLogic
import EstateTestSupport
import Foundation
import PQ
import Testing

/// Checks that hold for every seeded inventory, whatever its size.
enum SeededInventory {
    static func count(_ pool: PQPool, _ sql: SQL) async throws -> Int {
        try await pool.query(sql).firstRow?.decode(at: 0, as: Int.self) ?? -1
    }

    /// Prices, areas, attributes, statuses, history and price lists agree with each other and with the rules.
    static func verify(_ pool: PQPool) async throws {
        // list = unit × area to the cent (per unit: list = unit); floor = 97 % of list to the cent.
        #expect(try await count(pool, """
            SELECT count(*) FROM rooms WHERE list_price IS NOT NULL AND list_price <> CASE pricing_basis
                WHEN 'built_area' THEN round(unit_price * built_area_forecast, 2)
                WHEN 'internal_area' THEN round(unit_price * internal_area_forecast, 2)
                ELSE unit_price END
            """) == 0)
        #expect(try await count(pool, "SELECT count(*) FROM rooms WHERE floor_price <> round(list_price * 0.97, 2)") == 0)
        // Only shared-land parking (never for sale) is unpriced.
        #expect(try await count(pool, "SELECT count(*) FROM rooms WHERE (list_price IS NULL) <> shared_land") == 0)
        #expect(try await count(pool, "SELECT count(*) FROM rooms WHERE shared_land AND status <> 'not_released'") == 0)
        #expect(try await count(pool, """
            SELECT count(*) FROM rooms WHERE kind = 'apartment'
                AND NOT (internal_area_forecast BETWEEN built_area_forecast * 0.78 AND built_area_forecast * 0.80
                         AND built_area_forecast BETWEEN 89 AND 143)
            """) == 0)
        #expect(try await count(pool, "SELECT count(*) FROM rooms WHERE status = 'held' AND hold_until <= now()") == 0)

        // Every attribute passes the domain's validation.
        let rows = try await pool.query("""
            SELECT number, entrance, floor, stack, kind, layout, orientation, view, built_area_forecast::text AS built,
                   internal_area_forecast::text AS internal, pricing_basis, shared_land FROM rooms
            """)
        var violations: [FieldViolation] = []
        for row in rows {
            let attributes = RoomAttributes(
                number: try row.decode("number"), entrance: try row.decode("entrance"), floor: try row.decode("floor"),
                stack: try row.decode("stack"), kind: try #require(RoomKind(rawValue: try row.decode("kind"))),
                layout: try row.decode("layout"), orientation: try row.decode("orientation"), view: try row.decode("view"),
                areas: RoomAreas(builtForecast: try row.decode("built", as: String?.self).flatMap(Area.init),
                                 internalForecast: try row.decode("internal", as: String?.self).flatMap(Area.init)),
                pricingBasis: try #require(PricingBasis(rawValue: try row.decode("pricing_basis"))),
                sharedLand: try row.decode("shared_land"))
            violations += attributes.violations(prefix: attributes.number + ".")
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))")

        // Each room's history replays through the sales-control state machine to its current status.
        let statuses = Dictionary(uniqueKeysWithValues: try await pool.query("SELECT id, status, shared_land FROM rooms").map {
            (try $0.decode("id", as: UUID.self), (try $0.decode("status", as: String.self), try $0.decode("shared_land", as: Bool.self)))
        })
        var replayed: [UUID: RoomStatus] = [:]
        for row in try await pool.query("SELECT room_id, from_status, to_status, event FROM room_status_history ORDER BY room_id, at, id") {
            let room: UUID = try row.decode("room_id")
            let from = try #require(RoomStatus(rawValue: try row.decode("from_status")))
            let event = try #require(SalesControlEvent(rawValue: try row.decode("event")))
            #expect(replayed[room, default: .notReleased] == from)
            let next = try SalesControl.next(from: from, on: event, onSharedLand: statuses[room]?.1 ?? false)
            #expect(next.rawValue == (try row.decode("to_status", as: String.self)))
            replayed[room] = next
        }
        for (room, (status, _)) in statuses {
            #expect((replayed[room] ?? .notReleased).rawValue == status)
        }

        // One published price list per project, holding every priced room at its current price.
        #expect(try await count(pool, """
            SELECT count(*) FROM price_lists p WHERE version <> 1 OR run->>'seed' <> 'true'
                OR room_count <> (SELECT count(*) FROM price_list_rooms r WHERE r.price_list_id = p.id)
                OR total <> (SELECT sum(list_price) FROM price_list_rooms r WHERE r.price_list_id = p.id)
            """) == 0)
        #expect(try await count(pool, """
            SELECT count(*) FROM rooms r WHERE list_price IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM price_list_rooms p WHERE p.room_id = r.id AND p.price_list_id = r.price_list_id
                    AND p.unit_price = r.unit_price AND p.list_price = r.list_price AND p.floor_price = r.floor_price)
            """) == 0)
        #expect(try await count(pool, "SELECT count(*) FROM room_price_history")
                == (try await count(pool, "SELECT count(*) FROM rooms WHERE list_price IS NOT NULL")))
    }
}

@Suite("Seeded inventory")
struct SeedInventoryTests {
    @Test func demoSeedFillsRiversideOnce() async throws {
        let url = try await TestDatabase.migrated()
        let database = try TestDatabase.database(url: url)
        let first = try await database.seedDemo(hasher: PasswordHasher(cost: 4))
        let inventory = try #require(first.inventory)
        #expect(inventory.buildings == 3)
        #expect(inventory.rooms == 240 + 108 + 60)
        let second = try await database.seedDemo(hasher: PasswordHasher(cost: 4))
        #expect(second.inventory == nil)
        await database.close()

        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 2))
        func count(_ sql: SQL) async throws -> Int { try await SeededInventory.count(pool, sql) }
        #expect(try await count("SELECT count(*) FROM rooms") == 408)
        let buildings = try await pool.query("""
            SELECT b.code, count(*) AS rooms, count(DISTINCT r.floor) AS floors, count(DISTINCT r.entrance) AS entrances,
                   count(DISTINCT (r.entrance, r.stack)) AS stacks, min(r.floor) AS lowest,
                   count(*) FILTER (WHERE r.kind = 'shop') AS shops, count(*) FILTER (WHERE r.kind = 'parking') AS parking,
                   count(*) FILTER (WHERE r.shared_land) AS shared
            FROM buildings b JOIN rooms r ON r.group_id = b.group_id AND r.building_id = b.id
            JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id AND o.code = 'riverside'
            GROUP BY b.code ORDER BY b.code
            """).map { row in
            [try row.decode("code", as: String.self), "\(try row.decode("rooms", as: Int.self))",
             "\(try row.decode("floors", as: Int.self))", "\(try row.decode("entrances", as: Int.self))",
             "\(try row.decode("stacks", as: Int.self))", "\(try row.decode("lowest", as: Int.self))",
             "\(try row.decode("shops", as: Int.self))", "\(try row.decode("parking", as: Int.self))",
             "\(try row.decode("shared", as: Int.self))"]
        }
        #expect(buildings == [
            ["p1", "60", "1", "1", "60", "-1", "0", "60", "6"],
            ["t1", "240", "30", "2", "8", "1", "0", "0", "0"],
            ["t2", "108", "18", "2", "6", "1", "6", "0", "0"],
        ])
        // Numbers are {floor}{position:02}; shops are on floor 1 of t2; parking is priced per unit.
        #expect(try await count("SELECT count(*) FROM rooms WHERE number IN ('101', '1208', '3008', 'B1-060')") == 2 + 1 + 1 + 1)
        #expect(try await count("SELECT count(*) FROM rooms WHERE kind = 'shop' AND floor <> 1") == 0)
        #expect(try await count("SELECT count(*) FROM rooms WHERE (kind = 'parking') <> (pricing_basis = 'unit')") == 0)
        #expect(try await count("SELECT count(DISTINCT layout) FROM rooms WHERE kind = 'apartment'") == 3)
        #expect(try await count("SELECT count(DISTINCT view) FROM rooms WHERE kind = 'apartment'") == 3)
        // A realistic mix: mostly available, some of every other status.
        var byStatus: [String: Int] = [:]
        for row in try await pool.query("SELECT status, count(*) AS n FROM rooms GROUP BY status") {
            byStatus[try row.decode("status")] = try row.decode("n")
        }
        #expect((byStatus["available"] ?? 0) * 2 > 408)
        for status in ["not_released", "held", "reserved", "subscribed", "contracted"] {
            #expect((byStatus[status] ?? 0) > 0, "\(status)")
        }
        #expect(Set(byStatus.keys).isSubset(of: Set(RoomStatus.allCases.map(\.rawValue))))
        // t1's top four floors are the next sales batch.
        #expect(try await count("""
            SELECT count(*) FROM rooms r JOIN buildings b ON b.group_id = r.group_id AND b.id = r.building_id
            WHERE b.code = 't1' AND r.floor >= 27 AND r.status <> 'not_released'
            """) == 0)
        #expect(try await count("SELECT count(*) FROM price_lists") == 1)
        #expect(try await count("SELECT count(*) FROM room_status_history") > 0)
        try await SeededInventory.verify(pool)
        await pool.close()
    }

    @Test func scaleSeedAddsDeterministicProjects() async throws {
        let url = try await TestDatabase.migrated()
        // Bulk loads of three projects while the rest of the suite runs on the same two cores: give
        // each COPY longer than the usual 30 s.
        let database = try TestDatabase.database(url: url, statementTimeout: .seconds(600))
        let first = try await database.seedScale(projects: 2)
        #expect(first.groupCreated)
        #expect(first.projects == ["scale-p0001", "scale-p0002"])
        #expect(first.projectsBefore == 0)
        let plans = (1...3).map { ScaleData.plan(project: $0).plan }
        let expectedRooms = plans.map { $0.towers.map(\.roomCount).reduce(0, +) + $0.parking.map(\.spaces).reduce(0, +) }
        #expect(first.inventory.rooms == expectedRooms[0] + expectedRooms[1])
        #expect(first.inventory.buildings == plans[0...1].map { $0.towers.count + $0.parking.count }.reduce(0, +))
        for (plan, rooms) in zip(plans, expectedRooms) {
            #expect((4...10).contains(plan.towers.count))
            #expect((1_800...4_000).contains(rooms), "\(rooms) rooms")
        }
        // A second run goes on after the first.
        let second = try await database.seedScale(projects: 1, parallelism: 1)
        #expect(!second.groupCreated)
        #expect(second.projects == ["scale-p0003"])
        #expect(second.projectsBefore == 2)
        #expect(second.inventory.rooms == expectedRooms[2])
        await database.close()

        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 2))
        func count(_ sql: SQL) async throws -> Int { try await SeededInventory.count(pool, sql) }
        #expect(try await count("SELECT count(*) FROM rooms") == expectedRooms.reduce(0, +))
        #expect(try await count("SELECT count(*) FROM org_units WHERE kind = 'project'") == 3)
        #expect(try await count("SELECT count(*) FROM org_units WHERE kind = 'city_company'") == 1)
        #expect(try await count("SELECT count(*) FROM price_lists") == 3)
        for (index, rooms) in expectedRooms.enumerated() {
            #expect(try await count("""
                SELECT count(*) FROM rooms r JOIN org_units o ON o.group_id = r.group_id AND o.id = r.project_id
                WHERE o.code = \(ScaleData.projectCode(index + 1))
                """) == rooms)
        }
        try await SeededInventory.verify(pool)

        // Customers: ten per room, each with its own mobile number, valid resident IDs, owners of the project.
        let totalRooms = expectedRooms.reduce(0, +)
        #expect(first.customers.customers + second.customers.customers == totalRooms * 10)
        #expect(try await count("SELECT count(*) FROM customers") == totalRooms * 10)
        #expect(try await count("SELECT count(DISTINCT number) FROM customer_phones WHERE position = 1") == totalRooms * 10)
        #expect(try await count("SELECT count(*) FROM customer_phones") == first.customers.phones + second.customers.phones)
        #expect(try await count("SELECT count(*) FROM customer_follow_ups") == first.customers.followUps + second.customers.followUps)
        #expect(try await count("SELECT count(*) FROM customer_ownership_history") == totalRooms * 10)
        #expect(try await count("""
            SELECT count(*) FROM customers c JOIN users u ON u.group_id = c.group_id AND u.id = c.owner_id
            WHERE u.org_unit_id <> c.project_id
            """) == 0)
        let ids = try await pool.query("SELECT id_number FROM customers WHERE id_number IS NOT NULL LIMIT 500")
            .map { try $0.decode("id_number", as: String.self) }
        #expect(ids.count == 500)
        #expect(ids.allSatisfy { IDDocument.violations(type: .residentID, number: $0).isEmpty })
        let opportunities = first.customers.opportunities + second.customers.opportunities
        #expect(try await count("SELECT count(*) FROM opportunities") == opportunities)
        #expect(opportunities > totalRooms * 3 && opportunities < totalRooms * 6, "about 45 % of the customers")
        #expect(try await count("""
            SELECT count(*) FROM customers c LEFT JOIN opportunities o ON o.group_id = c.group_id AND o.customer_id = c.id
            WHERE c.stage IS DISTINCT FROM o.stage
            """) == 0)
        // Seeded customers read back through the repository like any other (needs stored as `{}` included).
        let someID = try #require(try await pool.query("SELECT group_id, id FROM customers LIMIT 1").firstRow)
        let reread = try TestDatabase.database(url: url)
        let customer = try await reread.unitOfWork { work in
            try await work.customers.find(groupID: try someID.decode("group_id"), id: try someID.decode("id"))
        }
        #expect(customer?.profile.needs == CustomerNeeds())
        await reread.close()
        let pooled = try await count("SELECT count(*) FROM customers WHERE owner_id IS NULL")
        #expect(pooled > 0 && pooled < totalRooms)

        // Deals: one live deal for every reserved, subscribed or contracted room, in the room's status;
        // schedules add up to the price, paid amounts to their allocations, collections to their
        // receipts, receipt numbers run without gaps per project and year.
        let deals = first.deals + second.deals
        #expect(deals.deals > 0 && deals.deals == deals.dealsByStage.values.reduce(0, +))
        #expect(try await count("SELECT count(*) FROM rooms WHERE status IN ('reserved', 'subscribed', 'contracted')") == deals.deals)
        #expect(try await count("""
            SELECT count(*) FROM rooms r LEFT JOIN deals d ON d.group_id = r.group_id AND d.room_id = r.id
            WHERE r.status IN ('reserved', 'subscribed', 'contracted') AND (d.id IS NULL OR CASE r.status
                WHEN 'reserved' THEN d.stage <> 'reserved' WHEN 'subscribed' THEN d.stage <> 'subscribed'
                ELSE d.stage IN ('reserved', 'subscribed') END)
            """) == 0)
        #expect(try await count("""
            SELECT count(*) FROM deals d WHERE d.final_price IS NOT NULL AND d.final_price <>
                (SELECT sum(amount) FROM receivables r WHERE r.group_id = d.group_id AND r.deal_id = d.id)
            """) == 0)
        #expect(try await count("""
            SELECT count(*) FROM receivables r WHERE r.paid <> coalesce((SELECT sum(a.amount) FROM allocations a
                WHERE a.group_id = r.group_id AND a.receivable_id = r.id), 0)
            """) == 0)
        #expect(try await count("SELECT count(*) FROM collections") == deals.collections)
        #expect(try await count("""
            SELECT count(*) FROM collections c LEFT JOIN receipts x ON x.group_id = c.group_id AND x.collection_id = c.id
            WHERE x.amount IS DISTINCT FROM c.amount
            """) == 0)
        #expect(try await count("""
            SELECT count(*) FROM (SELECT project_id, year, count(*) AS n, max(sequence) AS top FROM receipts GROUP BY project_id, year) g
            JOIN receipt_counters k ON k.project_id = g.project_id AND k.year = g.year WHERE g.n <> g.top OR k.last_sequence <> g.top
            """) == 0)
        #expect(try await count("SELECT count(*) FROM deals WHERE stage IN ('contracted', 'mortgage_applied', 'inspected')") > 0)
        #expect(try await count("SELECT count(*) FROM receivables WHERE paid < amount AND due_on < current_date - 30") > 0, "some arrears")
        // A seeded deal reads back through the repository like any other (terms stored as the API keeps them).
        let dealRow = try #require(try await pool.query("SELECT group_id, id FROM deals WHERE stage = 'contracted' LIMIT 1").firstRow)
        let dealReader = try TestDatabase.database(url: url)
        let deal = try await dealReader.unitOfWork { work in
            try await work.deals.find(groupID: try dealRow.decode("group_id"), id: try dealRow.decode("id"))
        }
        #expect(deal?.pricing != nil && deal?.nextStep != nil && deal?.buyers.isEmpty == false)
        await dealReader.close()

        // The same project number gives the same rooms (ids and dates aside).
        let stored = try await pool.query("""
            SELECT b.code || '/' || r.number || ' ' || r.kind || ' ' || coalesce(r.layout, '-') || ' '
                   || coalesce(r.built_area_forecast::text, '-') || ' ' || coalesce(r.list_price::text, '-') || ' ' || r.status AS line
            FROM rooms r JOIN buildings b ON b.group_id = r.group_id AND b.id = r.building_id
            JOIN org_units o ON o.group_id = r.group_id AND o.id = r.project_id
            WHERE o.code = 'scale-p0002'
            """).map { try $0.decode("line", as: String.self) }.sorted()
        var generator = InventoryGenerator(groupID: UUID(), projectID: UUID(), seed: plans[1].seed)
        let regenerated = generator.project(plans[1]).buildings.flatMap { building in
            building.rooms.map { seed in
                let room = seed.room
                return "\(building.code)/\(room.attributes.number) \(room.attributes.kind.rawValue) \(room.attributes.layout ?? "-") "
                    + "\(room.attributes.areas.builtForecast?.description ?? "-") \(room.listPrice?.description ?? "-") \(room.status.rawValue)"
            }
        }.sorted()
        #expect(stored == regenerated)
        await pool.close()
    }
}
