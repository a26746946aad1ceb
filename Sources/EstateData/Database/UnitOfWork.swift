import PQ

/// How strictly a unit of work is isolated from concurrent ones.
public enum TransactionIsolation: Sendable {
    /// PostgreSQL's default; enough with row locks and conditional updates.
    case readCommitted
    /// Full serializability; a unit of work that loses a race is run again (up to 3 times).
    case serializable
}

/// One database transaction spanning any number of repositories: everything it does commits
/// together when the body returns, or not at all when it throws. Repositories are extensions
/// of this type, so `EstateInterface` never sees a `PQ` type.
public struct UnitOfWork: Sendable {
    let transaction: PQTransaction
}

extension Database {
    /// Runs `body` as one transaction (see ``UnitOfWork``); database failures become ``DataError``.
    /// With `.serializable`, `body` may run more than once: keep it free of effects outside the database.
    @discardableResult
    public func unitOfWork<T>(_ isolation: TransactionIsolation = .readCommitted,
                              _ body: (UnitOfWork) async throws -> T) async throws -> T {
        try await perform {
            switch isolation {
            case .readCommitted:
                try await pool.transaction { try await body(UnitOfWork(transaction: $0)) }
            case .serializable:
                try await pool.transaction(isolation: .serializable, maxAttempts: 3) { try await body(UnitOfWork(transaction: $0)) }
            }
        }
    }
}

extension Database {
    /// Runs read-only `body` on a pooled connection without a transaction: each statement is its
    /// own snapshot, which saves the BEGIN and COMMIT round trips on hot read paths (authentication,
    /// the building grid). Use it only where reading statements at slightly different moments is
    /// harmless; every write goes through ``unitOfWork(_:_:)``.
    public func read<T>(_ body: (UnitOfWork) async throws -> T) async throws -> T {
        try await perform {
            try await pool.withConnection { try await body(UnitOfWork(transaction: PQTransaction(autocommit: $0))) }
        }
    }
}
