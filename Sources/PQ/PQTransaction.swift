/// Isolation level of a transaction.
public enum PQIsolation: String, Sendable, CaseIterable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// An open transaction on one connection; statements run through it are part of it.
public struct PQTransaction: PQQueryable {
    /// The connection the transaction runs on.
    public let connection: PQConnection

    public func query(_ sql: SQL) async throws -> PQRows {
        try await connection.query(sql)
    }

    init(connection: PQConnection) {
        self.connection = connection
    }

    /// Statements on `connection` outside any transaction block: each one commits by itself
    /// (for read paths that need no common snapshot).
    public init(autocommit connection: PQConnection) {
        self.connection = connection
    }
}

extension PQConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    public func transaction<T>(isolation: PQIsolation = .readCommitted, readOnly: Bool = false,
                               _ body: (PQTransaction) async throws -> T) async throws -> T {
        try await executeScript("BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
        let value: T
        do {
            value = try await body(PQTransaction(connection: self))
        } catch {
            try? await executeScript("ROLLBACK")
            throw error
        }
        do {
            try await executeScript("COMMIT")
        } catch {
            // A failed COMMIT already ended the transaction; make sure nothing stays open.
            try? await executeScript("ROLLBACK")
            throw error
        }
        return value
    }
}

extension PQPool {
    /// Runs `body` in a transaction on a pooled connection: commits when it returns, rolls back when it throws.
    ///
    /// With `maxAttempts > 1`, a transaction that fails with a serialization failure or a deadlock
    /// (SQLSTATE 40001, 40P01) is run again from the start, up to `maxAttempts` times in all, after a
    /// short randomised pause. `body` must then be safe to repeat (no effects outside the database).
    public func transaction<T>(isolation: PQIsolation = .readCommitted, readOnly: Bool = false,
                               maxAttempts: Int = 1,
                               _ body: (PQTransaction) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(isolation: isolation, readOnly: readOnly, body)
                }
            } catch let error as PQError where error.isSerializationFailure && attempt < maxAttempts {
                logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState ?? "")"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 << min(attempt, 5)))))
                attempt += 1
            }
        }
    }
}
