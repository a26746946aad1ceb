import Foundation

/// A Swift value that can be bound as a query parameter (sent in PostgreSQL's text format).
public protocol PQEncodable: Sendable {
    /// The PostgreSQL type the parameter is declared as.
    static var pqType: PQType { get }
    /// The value in PostgreSQL's text input format.
    func pqText() -> String
}

extension PQEncodable {
    /// The parameter this value binds to.
    public func pqBind() -> PQBind { PQBind(type: Self.pqType, text: pqText()) }
}

/// Why a single value could not be decoded; ``Row`` adds the column and types.
public struct PQDecodingFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A Swift value that can be read from a result column (PostgreSQL's text format).
public protocol PQDecodable: Sendable {
    /// Decodes a non-NULL value given as its text bytes and its column type.
    static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Self
    /// The value for SQL NULL; throws for non-optional types.
    static func pqDecodeNull() throws(PQDecodingFailure) -> Self
}

extension PQDecodable {
    public static func pqDecodeNull() throws(PQDecodingFailure) -> Self {
        throw PQDecodingFailure("is NULL")
    }

    /// Refuses a column type the Swift type cannot be read from (an array, not a set: this runs for
    /// every value decoded, and a set literal would hash on every call).
    static func requireType(_ type: PQType, in accepted: [PQType]) throws(PQDecodingFailure) {
        if type != .unspecified && !accepted.contains(type) {
            throw PQDecodingFailure("has a type that cannot be read as \(Self.self)")
        }
    }
}

@inline(__always)
func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

// MARK: - Optional

extension Optional: PQDecodable where Wrapped: PQDecodable {
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Self {
        try Wrapped.pqDecode(bytes, type: type)
    }

    public static func pqDecodeNull() throws(PQDecodingFailure) -> Self { nil }
}

// MARK: - Text

extension String: PQEncodable, PQDecodable {
    public static var pqType: PQType { .text }
    public func pqText() -> String { self }
    /// Any column can be read as its text form.
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> String {
        string(bytes)
    }
}

// MARK: - Integers

let integerTypes: [PQType] = [.int2, .int4, .int8, .oid]

func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) throws(PQDecodingFailure) -> Int64 {
    var index = 0
    var negative = false
    if bytes.count > 0, bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count else { throw PQDecodingFailure("is not an integer") }
    var value: Int64 = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { throw PQDecodingFailure("is not an integer") }
        let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (next, overflow2) = negative
            ? times.subtractingReportingOverflow(Int64(digit))
            : times.addingReportingOverflow(Int64(digit))
        guard !overflow1, !overflow2 else { throw PQDecodingFailure("is out of range") }
        value = next
        index += 1
    }
    return value
}

protocol PQInteger: FixedWidthInteger, PQEncodable, PQDecodable {}

extension PQInteger {
    public func pqText() -> String { String(self) }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Self {
        try requireType(type, in: integerTypes)
        let value = try parseInteger(bytes)
        guard let exact = Self(exactly: value) else { throw PQDecodingFailure("is out of range for \(Self.self)") }
        return exact
    }
}

extension Int: PQInteger { public static var pqType: PQType { .int8 } }
extension Int64: PQInteger { public static var pqType: PQType { .int8 } }
extension Int32: PQInteger { public static var pqType: PQType { .int4 } }
extension Int16: PQInteger { public static var pqType: PQType { .int2 } }

// MARK: - Bool

extension Bool: PQEncodable, PQDecodable {
    public static var pqType: PQType { .bool }
    public func pqText() -> String { self ? "t" : "f" }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> Bool {
        try requireType(type, in: [.bool])
        switch bytes.first {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw PQDecodingFailure("is not a boolean")
        }
    }
}

// MARK: - UUID

extension UUID: PQEncodable, PQDecodable {
    public static var pqType: PQType { .uuid }
    public func pqText() -> String { uuidString.lowercased() }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> UUID {
        try requireType(type, in: [.uuid, .text, .varchar])
        guard let uuid = parseUUID(bytes) else { throw PQDecodingFailure("is not a UUID") }
        return uuid
    }

    /// PostgreSQL's text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case), without going
    /// through `UUID(uuidString:)` (which formats and scans a C string: slow on hot read paths).
    static func parseUUID(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                guard let high = nibble(bytes[position]), let low = nibble(bytes[position + 1]) else { return false }
                out[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return ok ? UUID(uuid: raw) : nil
    }
}

// MARK: - JSON

/// A `json`/`jsonb` value kept as its exact text; encode and decode Codable values through it.
public struct PQJSON: PQEncodable, PQDecodable, Hashable {
    /// The JSON text.
    public var text: String
    public init(text: String) { self.text = text }

    /// Encodes a value with `JSONEncoder` (keys sorted, so equal values give equal text).
    public init<Value: Encodable>(encoding value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON text into a value.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public static var pqType: PQType { .jsonb }
    public func pqText() -> String { text }
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> PQJSON {
        try requireType(type, in: [.json, .jsonb, .text])
        return PQJSON(text: string(bytes))
    }
}

// MARK: - Arrays

extension Array: PQEncodable where Element: PQEncodable {
    public static var pqType: PQType { Element.pqType.arrayType ?? .unspecified }
    public func pqText() -> String {
        var result = "{"
        for (index, element) in enumerated() {
            if index > 0 { result += "," }
            result += "\""
            for character in element.pqText().unicodeScalars {
                if character == "\"" || character == "\\" { result += "\\" }
                result.unicodeScalars.append(character)
            }
            result += "\""
        }
        return result + "}"
    }
}

extension Array: PQDecodable where Element: PQDecodable {
    public static func pqDecode(_ bytes: UnsafeBufferPointer<UInt8>, type: PQType) throws(PQDecodingFailure) -> [Element] {
        let elementType: PQType
        if type == .unspecified || type == .text {
            elementType = .unspecified
        } else if let known = type.elementType {
            elementType = known
        } else {
            throw PQDecodingFailure("is not an array type PQ knows")
        }
        let items = try parseArrayLiteral(bytes)
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                if let item {
                    var copy = Array<UInt8>(item.utf8)
                    let value = try copy.withUnsafeMutableBufferPointer { buffer throws(PQDecodingFailure) in
                        try Element.pqDecode(UnsafeBufferPointer(buffer), type: elementType)
                    }
                    result.append(value)
                } else {
                    result.append(try Element.pqDecodeNull())
                }
            } catch {
                throw PQDecodingFailure("element \(index + 1) \(error.reason)")
            }
        }
        return result
    }
}

/// Parses a one-dimensional array literal such as `{1,NULL,"a b","x\"y"}`.
func parseArrayLiteral(_ bytes: UnsafeBufferPointer<UInt8>) throws(PQDecodingFailure) -> [String?] {
    var index = 0
    // Skip explicit bounds such as "[0:2]=".
    if bytes.first == UInt8(ascii: "[") {
        while index < bytes.count, bytes[index] != UInt8(ascii: "=") { index += 1 }
        index += 1
    }
    guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
        throw PQDecodingFailure("is not an array literal")
    }
    index += 1
    let end = bytes.count - 1
    var items: [String?] = []
    if index == end { return items }
    while index <= end {
        var item: [UInt8] = []
        var quoted = false
        if bytes[index] == UInt8(ascii: "{") { throw PQDecodingFailure("is a multi-dimensional array") }
        if bytes[index] == UInt8(ascii: "\"") {
            quoted = true
            index += 1
            while index < end, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                guard index < end else { throw PQDecodingFailure("has an unterminated quoted element") }
                item.append(bytes[index])
                index += 1
            }
            index += 1
        } else {
            while index < end, bytes[index] != UInt8(ascii: ",") {
                item.append(bytes[index])
                index += 1
            }
        }
        if !quoted && item.count == 4 && String(decoding: item, as: UTF8.self).uppercased() == "NULL" {
            items.append(nil)
        } else {
            items.append(String(decoding: item, as: UTF8.self))
        }
        guard index == end || bytes[index] == UInt8(ascii: ",") else {
            throw PQDecodingFailure("is not a well-formed array literal")
        }
        index += 1
    }
    return items
}
