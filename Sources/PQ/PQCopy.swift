/// Writes rows into a running `COPY ... FROM STDIN` (see ``PQConnection/copyIn(table:columns:_:)``).
///
/// Rows are encoded in COPY's text format and sent in chunks of about ``chunkSize`` bytes; each
/// chunk waits until libpq has written it to the socket, so memory stays bounded however many
/// rows are written.
public struct PQCopyInWriter: Sendable {
    /// Bytes gathered before they are sent.
    public static let chunkSize = 64 * 1024

    /// Fields every row must have (the number of columns named).
    public let columnCount: Int
    /// Rows written so far.
    public private(set) var rowCount = 0
    let connection: PQConnection
    let statement: String
    private var buffer: [UInt8] = []

    init(connection: PQConnection, statement: String, columnCount: Int) {
        self.connection = connection
        self.statement = statement
        self.columnCount = columnCount
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Adds one row: one field per column, nil for NULL. Fields are the columns' text input form
    /// (what a bound text parameter would be: `42`, `12.50`, `t`, a UUID, `{a,b}` for an array).
    public mutating func write(_ row: [String?]) async throws {
        guard row.count == columnCount else {
            throw PQError(kind: .client, message: "a COPY row has \(row.count) fields for \(columnCount) columns",
                          statement: statement)
        }
        PQCopyText.append(row, to: &buffer)
        rowCount += 1
        if buffer.count >= Self.chunkSize { try await send() }
    }

    /// Sends what is gathered.
    mutating func send() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        _ = try await connection.loop.perform(.copyData(statement: statement, bytes: chunk), on: connection)
    }
}

/// COPY's text format: fields separated by tabs, rows ended by newlines, `\N` for NULL, and a
/// backslash before every backslash, tab, newline and carriage return inside a value.
enum PQCopyText {
    static func append(_ row: [String?], to buffer: inout [UInt8]) {
        for (index, field) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            if let field {
                appendEscaped(field, to: &buffer)
            } else {
                buffer.append(0x5C)  // \N
                buffer.append(0x4E)
            }
        }
        buffer.append(0x0A)
    }

    static func appendEscaped(_ value: String, to buffer: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let escaped: UInt8
                switch bytes[index] {
                case 0x5C: escaped = 0x5C  // \\
                case 0x09: escaped = 0x74  // \t
                case 0x0A: escaped = 0x6E  // \n
                case 0x0D: escaped = 0x72  // \r
                default: continue
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                buffer.append(0x5C)
                buffer.append(escaped)
                start = index + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}

extension PQConnection {
    /// Bulk-loads rows with `COPY table (columns) FROM STDIN` and returns how many were loaded.
    ///
    /// `body` writes the rows (see ``PQCopyInWriter/write(_:)``); they are sent in chunks while it
    /// runs. If `body` throws, the COPY is aborted and nothing it wrote is kept; if the server
    /// refuses a row (a constraint, a malformed value, an unknown column), the whole COPY fails
    /// with that ``PQError`` once the data is sent. Either way the connection stays usable
    /// (inside a transaction, the transaction is then failed, as after any error).
    ///
    /// `table` and `columns` are quoted as identifiers (exact case; the table is found through
    /// `search_path`), never spliced in as SQL. PostgreSQL refuses COPY FROM into a table whose
    /// row-level security applies to the session (SQLSTATE 0A000): load as the tables' owner.
    public func copyIn(table: String, columns: [String],
                       _ body: (inout PQCopyInWriter) async throws -> Void) async throws -> Int {
        let statement = try Self.copyStatement(table: table, columns: columns)
        _ = try await loop.perform(.copyStart(statement), on: self)
        var writer = PQCopyInWriter(connection: self, statement: statement, columnCount: columns.count)
        do {
            try await body(&writer)
            try await writer.send()
        } catch {
            // Fail the COPY so that the server discards what came and the connection is free again.
            _ = try? await loop.perform(.copyEnd(statement: statement, abort: "COPY aborted by the client"), on: self)
            throw error
        }
        return try await loop.perform(.copyEnd(statement: statement, abort: nil), on: self).affectedRows
    }

    /// Bulk-loads `rows` (one field per column, nil for NULL) with `COPY ... FROM STDIN`; returns
    /// how many were loaded. See ``copyIn(table:columns:_:)``.
    public func copyIn(table: String, columns: [String], rows: some Sequence<[String?]>) async throws -> Int {
        try await copyIn(table: table, columns: columns) { writer in
            for row in rows { try await writer.write(row) }
        }
    }

    static func copyStatement(table: String, columns: [String]) throws -> String {
        guard !columns.isEmpty else {
            throw PQError(kind: .client, message: "COPY needs at least one column")
        }
        let names = try columns.map(SQL.quotedIdentifier).joined(separator: ", ")
        return "COPY \(try SQL.quotedIdentifier(table)) (\(names)) FROM STDIN"
    }
}

extension PQTransaction {
    /// Bulk-loads rows as part of the transaction; see ``PQConnection/copyIn(table:columns:_:)``.
    public func copyIn(table: String, columns: [String],
                       _ body: (inout PQCopyInWriter) async throws -> Void) async throws -> Int {
        try await connection.copyIn(table: table, columns: columns, body)
    }

    /// Bulk-loads `rows` as part of the transaction; see ``PQConnection/copyIn(table:columns:rows:)``.
    public func copyIn(table: String, columns: [String], rows: some Sequence<[String?]>) async throws -> Int {
        try await connection.copyIn(table: table, columns: columns, rows: rows)
    }
}
