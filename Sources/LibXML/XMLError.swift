/// A place in a document: 1-based line and column.
///
/// Columns count characters (Unicode scalars), not bytes; a byte order mark is not counted.
/// Lines are counted at line feeds. A column of 0 means libxml2 reported the line only.
public struct XMLPosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { column > 0 ? "line \(line), column \(column)" : "line \(line)" }
}

/// One thing wrong with a document: what, where, and (for schema validation) in which element.
public struct XMLProblem: Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Where the problem is, when known (a size limit has no position).
    public var position: XMLPosition?
    /// The element the problem is about, as local names from the root, with an index where an
    /// element has same-named siblings: `/deal/payment[2]/amount`. Set by schema validation
    /// (libxml2 names a faulty attribute in the message and reports its element; a path ending in
    /// `/@name` appears only if libxml2 reports the attribute node itself).
    public var path: String?

    public init(message: String, position: XMLPosition? = nil, path: String? = nil) {
        self.message = message
        self.position = position
        self.path = path
    }

    public var description: String {
        var text = ""
        if let position { text += "\(position): " }
        if let path { text += "\(path): " }
        return text + message
    }
}

/// Why a document was refused, or a schema or element tree could not be used.
public struct XMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// More bytes than ``XMLLimits/maxBytes``.
        case tooLarge
        /// Elements nested deeper than ``XMLLimits/maxDepth``.
        case tooDeep
        /// More elements than ``XMLLimits/maxElements``.
        case tooManyElements
        /// A start tag with more attributes (namespace declarations included) than
        /// ``XMLLimits/maxAttributesPerElement``.
        case tooManyAttributes
        /// A document type declaration (`<!DOCTYPE`), or any other markup declaration (`<!ENTITY`, `<!doctype`, ...).
        case doctypeForbidden
        /// Not UTF-8: a UTF-16/UTF-32/EBCDIC byte order mark or signature, or an XML declaration naming another encoding.
        case unsupportedEncoding
        /// Not well-formed XML (libxml2's message), including invalid UTF-8, NUL characters and undeclared namespace prefixes.
        case malformed
        /// Well-formed, but the schema refuses it; ``XMLError/problems`` lists each violation.
        case invalid
        /// A schema could not be read or compiled.
        case invalidSchema
        /// An element tree cannot be written as XML 1.0 (a bad name, a character XML 1.0 cannot carry).
        case unwritable
    }

    public var kind: Kind
    /// Every problem kept, in the order found; never empty. Validation keeps up to a limit.
    public var problems: [XMLProblem]
    /// How many further problems were found but not kept.
    public var omittedProblems: Int

    public init(kind: Kind, problems: [XMLProblem], omittedProblems: Int = 0) {
        precondition(!problems.isEmpty, "an XMLError names at least one problem")
        self.kind = kind
        self.problems = problems
        self.omittedProblems = omittedProblems
    }

    public init(kind: Kind, message: String, position: XMLPosition? = nil, path: String? = nil) {
        self.init(kind: kind, problems: [XMLProblem(message: message, position: position, path: path)])
    }

    /// The first problem's message.
    public var message: String { problems[0].message }
    /// The first problem's line, when known.
    public var line: Int? { problems[0].position?.line }
    /// The first problem's column, when known (0: libxml2 gave the line only).
    public var column: Int? { problems[0].position?.column }

    public var description: String {
        var text = "XMLError(\(kind)): " + problems.map(\.description).joined(separator: "; ")
        if omittedProblems > 0 { text += "; and \(omittedProblems) more" }
        return text
    }
}
