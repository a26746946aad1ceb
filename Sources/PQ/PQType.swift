/// PostgreSQL type OIDs that `PQ` binds and decodes (from `pg_type`).
public struct PQType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unspecified = PQType(rawValue: 0)
    public static let bool = PQType(rawValue: 16)
    public static let bytea = PQType(rawValue: 17)
    public static let name = PQType(rawValue: 19)
    public static let int8 = PQType(rawValue: 20)
    public static let int2 = PQType(rawValue: 21)
    public static let int4 = PQType(rawValue: 23)
    public static let text = PQType(rawValue: 25)
    public static let oid = PQType(rawValue: 26)
    public static let json = PQType(rawValue: 114)
    public static let float4 = PQType(rawValue: 700)
    public static let float8 = PQType(rawValue: 701)
    public static let bpchar = PQType(rawValue: 1042)
    public static let varchar = PQType(rawValue: 1043)
    public static let date = PQType(rawValue: 1082)
    public static let timestamp = PQType(rawValue: 1114)
    public static let timestamptz = PQType(rawValue: 1184)
    public static let numeric = PQType(rawValue: 1700)
    public static let uuid = PQType(rawValue: 2950)
    public static let jsonb = PQType(rawValue: 3802)
    public static let boolArray = PQType(rawValue: 1000)
    public static let int2Array = PQType(rawValue: 1005)
    public static let int4Array = PQType(rawValue: 1007)
    public static let textArray = PQType(rawValue: 1009)
    public static let varcharArray = PQType(rawValue: 1015)
    public static let int8Array = PQType(rawValue: 1016)
    public static let dateArray = PQType(rawValue: 1182)
    public static let timestamptzArray = PQType(rawValue: 1185)
    public static let numericArray = PQType(rawValue: 1231)
    public static let uuidArray = PQType(rawValue: 2951)
    public static let jsonbArray = PQType(rawValue: 3807)

    /// The array type whose elements are of this type, if PQ knows it.
    public var arrayType: PQType? { Self.arrayOf[self] }
    /// The element type if this is an array type PQ knows.
    public var elementType: PQType? { Self.elementOf[self] }

    static let arrayOf: [PQType: PQType] = [
        .bool: .boolArray, .int2: .int2Array, .int4: .int4Array, .int8: .int8Array,
        .text: .textArray, .varchar: .varcharArray, .date: .dateArray,
        .timestamptz: .timestamptzArray, .numeric: .numericArray, .uuid: .uuidArray,
        .jsonb: .jsonbArray,
    ]
    static let elementOf: [PQType: PQType] = Dictionary(uniqueKeysWithValues: arrayOf.map { ($1, $0) })

    static let names: [PQType: String] = [
        .bool: "bool", .bytea: "bytea", .name: "name", .int8: "int8", .int2: "int2", .int4: "int4",
        .text: "text", .oid: "oid", .json: "json", .float4: "float4", .float8: "float8",
        .bpchar: "bpchar", .varchar: "varchar", .date: "date", .timestamp: "timestamp",
        .timestamptz: "timestamptz", .numeric: "numeric", .uuid: "uuid", .jsonb: "jsonb",
        .boolArray: "bool[]", .int2Array: "int2[]", .int4Array: "int4[]", .textArray: "text[]",
        .varcharArray: "varchar[]", .int8Array: "int8[]", .dateArray: "date[]",
        .timestamptzArray: "timestamptz[]", .numericArray: "numeric[]", .uuidArray: "uuid[]",
        .jsonbArray: "jsonb[]",
    ]

    public var description: String { Self.names[self] ?? "oid \(rawValue)" }
}

/// One bound parameter: its type and its text form (nil is SQL NULL).
public struct PQBind: Sendable, Hashable {
    public var type: PQType
    public var text: String?
    public init(type: PQType, text: String?) {
        self.type = type
        self.text = text
    }
}
