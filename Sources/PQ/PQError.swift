/// An error reported by PostgreSQL or libpq.
///
/// Carries the server's diagnostic fields. Its `description` includes the
/// statement text (never the bound values); do not show it to API clients.
public struct PQError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The connection could not be made or was lost.
        case connection
        /// The server refused the statement (see ``PQError/sqlState``).
        case server
        /// The connection is unusable for a client-side reason (closed, shut down).
        case client
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, e.g. `23505`.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    public var schema: String?
    public var dataType: String?
    /// The statement text (with `$n` placeholders), when the error came from one.
    public var statement: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
                constraint: String? = nil, table: String? = nil, column: String? = nil, schema: String? = nil,
                dataType: String? = nil, statement: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.schema = schema
        self.dataType = dataType
        self.statement = statement
    }

    /// 23505: a unique constraint or index refused the row.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// 23503: a foreign key refused the row.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// 23514: a check constraint refused the row.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// 23502: a NOT NULL column got NULL.
    public var isNotNullViolation: Bool { sqlState == "23502" }
    /// 23P01: an exclusion constraint refused the row.
    public var isExclusionViolation: Bool { sqlState == "23P01" }
    /// 40001 or 40P01: the transaction lost a race and may be retried as a whole.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// 57014: cancelled, e.g. by `statement_timeout`.
    public var isQueryCanceled: Bool { sqlState == "57014" }
    /// 22021 or 22P05: text the database cannot hold, such as the NUL character in `text` or `jsonb`
    /// (22021 is also what ``PQConnection/query(_:)`` raises itself for a bound value with NUL,
    /// which libpq would otherwise cut short).
    public var isUnstorableText: Bool { sqlState == "22021" || sqlState == "22P05" }
    /// 55P03: a `NOWAIT` lock or `lock_timeout` failed.
    public var isLockNotAvailable: Bool { sqlState == "55P03" }
    /// The connection is gone (network, server restart, terminated backend): it must not be reused.
    public var isConnectionLost: Bool {
        if kind == .connection { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var description: String {
        var text = "PQError(\(kind)"
        if let sqlState { text += " \(sqlState)" }
        text += "): \(message)"
        if let detail { text += " — \(detail)" }
        if let constraint { text += " [constraint \(constraint)]" }
        if let statement { text += " in: \(statement.prefix(200))" }
        return text
    }
}

/// A value in a result could not be decoded into the requested Swift type.
public struct PQDecodingError: Error, Sendable, CustomStringConvertible {
    public var column: String
    public var columnType: PQType
    public var swiftType: String
    public var reason: String

    public var description: String {
        "column \"\(column)\" (\(columnType)) cannot be decoded as \(swiftType): value \(reason)"
    }
}

/// Why the pool could not hand out a connection.
public struct PQPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// No connection became free within the acquire timeout.
        case acquireTimeout
        /// The pool is shut down.
        case shutdown
    }
    public var code: Code
    public var description: String {
        switch code {
        case .acquireTimeout: "no database connection became free within the acquire timeout"
        case .shutdown: "the connection pool is shut down"
        }
    }
    public static let acquireTimeout = PQPoolError(code: .acquireTimeout)
    public static let shutdown = PQPoolError(code: .shutdown)
}
