import EstateLogic
import Foundation
import PQ

/// A place in an integration export's sync order (issue 7: incremental sync with `updated_since`
/// and a stable cursor). Every exported row carries a position: the id of the transaction that last
/// wrote it (`stamp`, PostgreSQL's `pg_current_xact_id()`), then a key and a part that tell apart
/// the rows one transaction wrote (a deal's id; a collection, receipt or refund id with its voucher
/// kind; a building with a month). Rows are served in ascending position.
public struct SyncPosition: Sendable, Hashable, Comparable {
    public var stamp: Int64
    public var key: UUID
    public var part: Int32

    public init(stamp: Int64, key: UUID, part: Int32) {
        self.stamp = stamp
        self.key = key
        self.part = part
    }

    public static func < (lhs: SyncPosition, rhs: SyncPosition) -> Bool {
        (lhs.stamp, lhs.key.uuidString.lowercased(), lhs.part) < (rhs.stamp, rhs.key.uuidString.lowercased(), rhs.part)
    }
}

/// One page of an export: the rows after the asked position, in order, and whether more follow.
public struct SyncPage<Row: Sendable>: Sendable {
    public var rows: [(position: SyncPosition, row: Row)]
    /// More rows follow the last one now (ask again from its position).
    public var more: Bool
}

/// The window an export serves, in one place for every export:
///
/// - the sync horizon: only rows stamped by transactions older than the oldest transaction still
///   running in the cluster (`pg_snapshot_xmin` of the statement's snapshot, as the event feed
///   does). Transactions commit out of stamp order; a row whose writer is still running, or whose
///   stamp is above one that is, waits until every older writer has ended, so a position handed
///   out can never have a row committed behind it later. A row changed again gets a new stamp and
///   comes again, after the position.
/// - the ascending keyset `(stamp, key, part) > position`, and `updated_since` on the row's time.
///
/// A source is a query whose rows carry `sync_stamp` (bigint), `sync_key` (uuid), `sync_part`
/// (integer) and `sync_time` (timestamptz: when the row last changed) beside their own columns.
/// What is costly to read per row (owners, allocations as JSON) goes in `details`, a query run
/// for the page's rows only (a lateral subquery that may name the source's columns as `s.<name>`).
enum IntegrationSync {
    /// The oldest transaction id still running (or the next one to be given out when none runs).
    static let horizon: SQL = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

    /// Reads one page of `source` after `position`, changed at or after `since` when given:
    /// at most `limit` rows (one more is read to know whether more follow).
    static func page<Row: Sendable>(_ transaction: PQTransaction, source: SQL, details: SQL? = nil, after position: SyncPosition?,
                                    since: Date?, limit: Int, decode: (PQRow) throws -> Row) async throws -> SyncPage<Row> {
        var condition: SQL = "s0.sync_stamp < \(horizon)"
        if let position {
            // The first comparison alone lets the sources' (group, stamp, key) indexes start at the position.
            condition = "\(condition) AND s0.sync_stamp >= \(position.stamp)"
            condition = "\(condition) AND (s0.sync_stamp, s0.sync_key, s0.sync_part) > (\(position.stamp), \(position.key), \(position.part))"
        }
        if let since { condition = "\(condition) AND s0.sync_time >= \(since)" }
        let lateral: SQL = details.map { "CROSS JOIN LATERAL (\($0)) d" } ?? ""
        let rows = try await transaction.query("""
            SELECT * FROM (
                SELECT * FROM (\(source)) s0 WHERE \(condition)
                ORDER BY s0.sync_stamp, s0.sync_key, s0.sync_part LIMIT \(limit + 1)
            ) s \(lateral)
            ORDER BY s.sync_stamp, s.sync_key, s.sync_part
            """)
        var result: [(position: SyncPosition, row: Row)] = []
        for row in rows.prefix(limit) {
            let position = SyncPosition(stamp: try row.decode("sync_stamp"), key: try row.decode("sync_key"),
                                        part: try row.decode("sync_part"))
            result.append((position, try decode(row)))
        }
        return SyncPage(rows: result, more: rows.count > limit)
    }
}
