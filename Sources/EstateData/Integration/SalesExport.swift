import EstateLogic
import Foundation
import PQ

/// What one building sold in one month (``BuildingSales``), for the cost system.
public struct BuildingSalesRecord: Sendable, Hashable {
    public var project: IntegrationUnit
    public var building: IntegrationUnit
    public var month: YearMonth
    public var sales: BuildingSales
    /// The latest change of a deal counted in it.
    public var updatedAt: Date
}

extension IntegrationExports {
    /// Sold area and revenue per building and month of `period`, for buildings of projects under
    /// `roots`, in sync order. A deal counts as contracted in the month of its contract's signing
    /// (`contract_signed_on`): its contracted area (0 when the room is sold by the unit) and its final
    /// price; a contracted deal that ended (terminated; a contracted deal is never cancelled, but one
    /// would count alike) counts as terminated in the month it ended, in the group's time zone, with
    /// the same area and price. A building and month appear when a deal counts in them; the row's
    /// stamp is the newest of its deals', so a changed deal brings its months again.
    public func sales(groupID: UUID, under roots: [UUID], period: SalesPeriod, after position: SyncPosition?, since: Date?,
                      limit: Int) async throws -> SyncPage<BuildingSalesRecord> {
        let start = period.startDay, end = period.endDay
        let monthIndex: SQL = "(extract(year FROM x.day)::integer * 12 + extract(month FROM x.day)::integer - 1)"
        let source: SQL = """
            WITH counted AS (
                SELECT d.id, d.room_id, d.sync_xact, d.updated_at, d.contract_signed_on AS day, 1 AS sign,
                       coalesce(d.contracted_area, 0) AS area, coalesce(d.final_price, 0) AS price
                FROM deals d JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
                WHERE d.group_id = \(groupID) AND d.contract_signed_on IS NOT NULL
                  AND d.contract_signed_on BETWEEN \(start) AND \(end) AND \(Self.scope(roots))
                UNION ALL
                SELECT e.id, e.room_id, e.sync_xact, e.updated_at, e.ended_on, -1, e.area, e.price
                FROM (SELECT d.id, d.room_id, d.sync_xact, d.updated_at, coalesce(d.contracted_area, 0) AS area,
                             coalesce(d.final_price, 0) AS price,
                             (coalesce((SELECT min(h.at) FROM deal_history h
                                        WHERE h.group_id = d.group_id AND h.deal_id = d.id AND h.to_stage = d.stage), d.updated_at)
                              AT TIME ZONE g.time_zone)::date AS ended_on
                      FROM deals d JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
                      JOIN groups g ON g.id = d.group_id
                      WHERE d.group_id = \(groupID) AND d.contract_signed_on IS NOT NULL AND d.stage IN ('cancelled', 'terminated')
                        AND \(Self.scope(roots))) e
                WHERE e.ended_on BETWEEN \(start) AND \(end)
            ), figures AS (
                SELECT r.building_id, \(monthIndex) AS month_index, max(x.sync_xact) AS sync_stamp, max(x.updated_at) AS sync_time,
                       count(*) FILTER (WHERE x.sign = 1) AS contracted_deals,
                       coalesce(sum(x.area) FILTER (WHERE x.sign = 1), 0)::numeric(16,2) AS contracted_area,
                       coalesce(sum(x.price) FILTER (WHERE x.sign = 1), 0)::numeric(18,2) AS contracted_revenue,
                       count(*) FILTER (WHERE x.sign = -1) AS terminated_deals,
                       coalesce(sum(x.area) FILTER (WHERE x.sign = -1), 0)::numeric(16,2) AS terminated_area,
                       coalesce(sum(x.price) FILTER (WHERE x.sign = -1), 0)::numeric(18,2) AS terminated_revenue
                FROM counted x JOIN rooms r ON r.group_id = \(groupID) AND r.id = x.room_id
                GROUP BY r.building_id, \(monthIndex)
            )
            SELECT f.sync_stamp, f.building_id AS sync_key, f.month_index AS sync_part, f.sync_time, f.month_index,
                   f.contracted_deals, f.contracted_area, f.contracted_revenue, f.terminated_deals, f.terminated_area, f.terminated_revenue,
                   b.id AS building_id, b.code AS building_code, b.name AS building_name, o.id AS project_id, o.code AS project_code, o.name AS project_name
            FROM figures f JOIN buildings b ON b.group_id = \(groupID) AND b.id = f.building_id
            JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
            """
        return try await IntegrationSync.page(transaction, source: source, after: position, since: since, limit: limit) { row in
            let index = Int(try row.decode("month_index", as: Int32.self))
            guard let month = YearMonth(index: index) else { throw DataError.internalFailure("bad month \(index)") }
            func figures(_ prefix: String) throws -> SalesFigures {
                SalesFigures(deals: Int(try row.decode("\(prefix)_deals", as: Int64.self)), area: try row.decode("\(prefix)_area"),
                             revenue: try row.decode("\(prefix)_revenue"))
            }
            return BuildingSalesRecord(project: try .decode(row, "project"), building: try .decode(row, "building"), month: month,
                                       sales: BuildingSales(contracted: try figures("contracted"), terminated: try figures("terminated")),
                                       updatedAt: try row.decode("sync_time"))
        }
    }
}
