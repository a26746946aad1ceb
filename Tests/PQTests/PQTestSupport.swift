import EstateTestSupport
import Foundation
import PQ

/// A pool on a fresh empty database of its own.
func makePool(maxConnections: Int = 4, acquireTimeout: Duration = .seconds(5),
              idleCheckAfter: Duration = .seconds(30), statementTimeout: Duration? = .seconds(30)) async throws -> PQPool {
    let url = try await TestDatabase.empty()
    return PQPool(configuration: PQPoolConfiguration(
        url: url, maxConnections: maxConnections, acquireTimeout: acquireTimeout, idleCheckAfter: idleCheckAfter,
        session: PQSessionSettings(statementTimeout: statementTimeout)))
}

/// Runs `body` with a pool, closing it afterwards.
func withPool<T>(maxConnections: Int = 4, acquireTimeout: Duration = .seconds(5),
                 idleCheckAfter: Duration = .seconds(30), statementTimeout: Duration? = .seconds(30),
                 _ body: (PQPool) async throws -> T) async throws -> T {
    let pool = try await makePool(maxConnections: maxConnections, acquireTimeout: acquireTimeout,
                                  idleCheckAfter: idleCheckAfter, statementTimeout: statementTimeout)
    do {
        let value = try await body(pool)
        await pool.close()
        return value
    } catch {
        await pool.close()
        throw error
    }
}

/// Decodes the single value of a one-row, one-column result.
func scalar<T: PQDecodable>(_ pool: PQPool, _ sql: SQL, as type: T.Type = T.self) async throws -> T {
    let rows = try await pool.query(sql)
    guard let row = rows.firstRow else { throw TestDatabase.SetupError("no row") }
    return try row.decode(at: 0, as: type)
}
