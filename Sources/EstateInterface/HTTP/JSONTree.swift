/// A JSON document as the XML mapping sees it: members in the order written, numbers as the text
/// they were written with (exact, never through a binary float).
indirect enum JSONTree: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        var name: String
        var value: JSONTree
    }

    case null
    case bool(Bool)
    /// A JSON number's text, e.g. `-12` or `0.5`.
    case number(String)
    case string(String)
    case array([JSONTree])
    case object([Member])

    struct SyntaxError: Error, CustomStringConvertible {
        let offset: Int
        let message: String
        var description: String { "\(message) at byte \(offset)" }
    }

    /// Parses one JSON document (RFC 8259) with nothing but white space around it.
    init(parsing bytes: some Collection<UInt8>) throws(SyntaxError) {
        var reader = JSONTreeReader(bytes: Array(bytes))
        self = try reader.document()
    }

    /// The document as JSON text, members in their order, strings escaped as `JSONEncoder` does.
    var serialized: [UInt8] {
        var output = JSONBytes(capacity: 256)
        write(to: &output)
        return output.bytes
    }

    private func write(to output: inout JSONBytes) {
        switch self {
        case .null: output.raw("null")
        case .bool(let value): value ? output.raw("true") : output.raw("false")
        case .number(let text): output.rawText(text)
        case .string(let text): output.string(text)
        case .array(let items):
            output.raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { output.raw(",") }
                item.write(to: &output)
            }
            output.raw("]")
        case .object(let members):
            output.raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { output.raw(",") }
                output.string(member.name)
                output.raw(":")
                member.value.write(to: &output)
            }
            output.raw("}")
        }
    }
}

private struct JSONTreeReader {
    let bytes: [UInt8]
    var offset = 0
    /// Deeper documents are refused rather than risking the stack (ours nest a handful of levels).
    static let maxDepth = 256

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(JSONTree.SyntaxError) -> JSONTree {
        let value = try self.value(depth: 0)
        skipSpace()
        guard offset == bytes.count else { throw fail("unexpected text after the document") }
        return value
    }

    private func fail(_ message: String) -> JSONTree.SyntaxError {
        JSONTree.SyntaxError(offset: offset, message: message)
    }

    private mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONTree) throws(JSONTree.SyntaxError) -> JSONTree {
        let utf8 = Array(literal.utf8)
        guard bytes.count - offset >= utf8.count, Array(bytes[offset..<offset + utf8.count]) == utf8 else {
            throw fail("expected \(literal)")
        }
        offset += utf8.count
        return value
    }

    private mutating func value(depth: Int) throws(JSONTree.SyntaxError) -> JSONTree {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        skipSpace()
        guard offset < bytes.count else { throw fail("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            offset += 1
            var items: [JSONTree] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard offset < bytes.count else { throw fail("unterminated array") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "]") { return .array(items) }
                guard byte == UInt8(ascii: ",") else { throw fail("expected , or ]") }
            }
        case UInt8(ascii: "{"):
            offset += 1
            var members: [JSONTree.Member] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let name = try string()
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw fail("expected :") }
                offset += 1
                members.append(JSONTree.Member(name: name, value: try value(depth: depth + 1)))
                skipSpace()
                guard offset < bytes.count else { throw fail("unterminated object") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "}") { return .object(members) }
                guard byte == UInt8(ascii: ",") else { throw fail("expected , or }") }
            }
        default:
            return .number(try number())
        }
    }

    private mutating func number() throws(JSONTree.SyntaxError) -> String {
        let start = offset
        func digits() -> Int {
            let first = offset
            while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
            return offset - first
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integer = offset
        guard digits() > 0 else { throw fail("expected a value") }
        guard bytes[integer] != 0x30 || offset - integer == 1 else { throw fail("a number with a leading zero") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw fail("expected digits after the decimal point") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw fail("expected exponent digits") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func string() throws(JSONTree.SyntaxError) -> String {
        offset += 1   // the opening quote
        var utf8: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw fail("unterminated escape") }
                let escaped = bytes[offset]
                offset += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw fail("a lone surrogate")
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("a lone surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("a lone surrogate") }
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw fail("an unknown escape")
                }
            case 0x00..<0x20:
                throw fail("a control character in a string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func hex4() throws(JSONTree.SyntaxError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw fail("a short \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw fail("a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        offset += 4
        return value
    }
}
