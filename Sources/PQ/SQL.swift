/// A SQL statement whose values travel only as bound parameters.
///
/// Write statements as string literals; every interpolated value becomes a
/// placeholder (`$1`, `$2`, ...) and a bound parameter, never SQL text:
///
/// ```swift
/// let sql: SQL = "SELECT name FROM groups WHERE id = \(groupID) AND name <> \(name)"
/// ```
///
/// Fragments compose: interpolating another `SQL` splices its text and renumbers
/// its parameters. The only way to add raw text at run time is the explicitly
/// named ``SQL/init(unsafeRaw:)`` (or `\(unsafeRaw:)`), for identifiers and
/// whole migration scripts that the program itself owns.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case parameter
    }

    var parts: [Part]
    /// The bound parameter values, in placeholder order.
    public private(set) var binds: [PQBind]

    public init(stringLiteral value: String) {
        parts = [.text(value)]
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
        binds = stringInterpolation.binds
    }

    /// Raw SQL text owned by the program (never user input).
    public init(unsafeRaw text: String) {
        parts = [.text(text)]
        binds = []
    }

    /// An identifier (table, column) in double quotes, safe to put into statement text: inner
    /// quotes are doubled. Quoted names keep their case (`Rooms` is not `rooms`). Throws a
    /// client ``PQError`` for an empty name, a NUL character, or more than 63 bytes (PostgreSQL
    /// would silently cut it to another name).
    public static func quotedIdentifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 63, !name.utf8.contains(0) else {
            throw PQError(kind: .client, message: "not a valid identifier: \(name.debugDescription)")
        }
        return "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// A quoted identifier as a fragment (see ``quotedIdentifier(_:)``).
    public static func identifier(_ name: String) throws -> SQL {
        SQL(unsafeRaw: try quotedIdentifier(name))
    }

    /// The statement text with `$n` placeholders.
    public var text: String {
        var result = ""
        var index = 0
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .parameter:
                index += 1
                result += "$"
                result += String(index)
            }
        }
        return result
    }

    /// Appends another fragment, renumbering its parameters.
    public mutating func append(_ other: SQL) {
        parts.append(contentsOf: other.parts)
        binds.append(contentsOf: other.binds)
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Joins fragments with a separator, e.g. `SQL.join(conditions, separator: " AND ")`.
    public static func join(_ fragments: [SQL], separator: StaticString) -> SQL {
        var result = SQL(unsafeRaw: "")
        for (offset, fragment) in fragments.enumerated() {
            if offset > 0 { result.parts.append(.text(separator.description)) }
            result.append(fragment)
        }
        return result
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var parts: [Part] = []
        var binds: [PQBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { parts.append(.text(literal)) }
        }

        /// A bound value: becomes `$n`.
        public mutating func appendInterpolation<Value: PQEncodable>(_ value: Value) {
            parts.append(.parameter)
            binds.append(value.pqBind())
        }

        /// A bound value that may be NULL.
        public mutating func appendInterpolation<Value: PQEncodable>(_ value: Value?) {
            parts.append(.parameter)
            binds.append(value.map { $0.pqBind() } ?? PQBind(type: Value.pqType, text: nil))
        }

        /// Another fragment, with its parameters renumbered.
        public mutating func appendInterpolation(_ fragment: SQL) {
            parts.append(contentsOf: fragment.parts)
            binds.append(contentsOf: fragment.binds)
        }

        /// Raw text owned by the program (an identifier, a keyword); never user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            parts.append(.text(text))
        }
    }
}

extension SQL: CustomStringConvertible {
    /// The statement text only; bound values are never printed (they may be personal data).
    public var description: String { text }
}
