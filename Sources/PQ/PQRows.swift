/// A result column: its name and type.
public struct PQColumn: Sendable, Hashable {
    public let name: String
    public let type: PQType
}

/// The rows of a result, copied out of libpq into one contiguous buffer.
public struct PQRows: Sendable, RandomAccessCollection {
    public let columns: [PQColumn]
    /// Rows affected by INSERT/UPDATE/DELETE (or returned by SELECT).
    public let affectedRows: Int
    let bytes: [UInt8]
    /// Per cell: start offset into `bytes`, and length (-1 for NULL).
    let offsets: [Int32]
    let lengths: [Int32]
    let rowCount: Int

    init(columns: [PQColumn], affectedRows: Int, bytes: [UInt8], offsets: [Int32], lengths: [Int32], rowCount: Int) {
        self.columns = columns
        self.affectedRows = affectedRows
        self.bytes = bytes
        self.offsets = offsets
        self.lengths = lengths
        self.rowCount = rowCount
    }

    static let empty = PQRows(columns: [], affectedRows: 0, bytes: [], offsets: [], lengths: [], rowCount: 0)

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> PQRow { PQRow(rows: self, index: position) }

    /// The first row, or nil when there is none.
    public var firstRow: PQRow? { isEmpty ? nil : self[0] }

    /// The position of a column by name.
    public func columnIndex(_ name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// Decodes every row with `body`.
    public func map<T>(_ body: (PQRow) throws -> T) rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(rowCount)
        for index in 0..<rowCount { result.append(try body(self[index])) }
        return result
    }
}

/// One row of a result.
public struct PQRow: Sendable {
    let rows: PQRows
    let index: Int

    public var columns: [PQColumn] { rows.columns }

    /// Whether the value in a column is SQL NULL.
    public func isNull(_ column: Int) -> Bool { rows.lengths[index * rows.columns.count + column] < 0 }

    /// Decodes the value at a column position.
    public func decode<T: PQDecodable>(at column: Int, as type: T.Type = T.self) throws -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PQDecodingError(column: "#\(column)", columnType: .unspecified, swiftType: "\(T.self)",
                                  reason: "does not exist (the result has \(rows.columns.count) columns)")
        }
        let cell = index * rows.columns.count + column
        let length = Int(rows.lengths[cell])
        let info = rows.columns[column]
        do {
            if length < 0 { return try T.pqDecodeNull() }
            let start = Int(rows.offsets[cell])
            return try rows.bytes.withUnsafeBufferPointer { buffer throws(PQDecodingFailure) in
                try T.pqDecode(UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]), type: info.type)
            }
        } catch {
            throw PQDecodingError(column: info.name, columnType: info.type, swiftType: "\(T.self)", reason: error.reason)
        }
    }

    /// Decodes the value of a named column.
    public func decode<T: PQDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let column = rows.columnIndex(name) else {
            throw PQDecodingError(column: name, columnType: .unspecified, swiftType: "\(T.self)",
                                  reason: "does not exist in the result")
        }
        return try decode(at: column, as: type)
    }
}
