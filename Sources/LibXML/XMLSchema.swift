import CLibXML2

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A compiled XSD, compiled once (at start-up) and shared by every validation.
///
/// A schema must be self-contained: one XSD per document type, with no `xs:include`, `xs:import`,
/// `xs:redefine` or `xs:override` (refused when compiling). Nothing is ever loaded from a location
/// named in a document: validation uses this schema only, and `xsi:schemaLocation` /
/// `xsi:noNamespaceSchemaLocation` in an instance are ignored by libxml2 when a schema is given
/// (and the process-wide entity loader refuses every load anyway).
///
/// The XSD itself goes through ``XMLDocument/parse(_:limits:)`` (no DOCTYPE, no entities) and the
/// resulting tree is compiled, rather than letting libxml2 parse it: libxml2's schema parser would
/// read it with `XML_PARSE_NOENT`.
public final class XMLSchema: @unchecked Sendable {
    // `@unchecked Sendable` is safe: both properties are set once in `init` and never changed.
    // A compiled `xmlSchema` is only read by validation, which gets its own `xmlSchemaValidCtxt`
    // each time (libxml2 keeps per-validation state there); the lazy global set-up that schema
    // code does is done once in `LibXML2.ready`. The instance document is locked by
    // ``XMLDocument`` while it is validated.
    private let schema: xmlSchemaPtr
    /// The XSD's own tree, kept alive because the compiled schema points into it (annotations).
    private let source: XMLDocument

    static let xsdNamespace = "http://www.w3.org/2001/XMLSchema"

    /// Compiles an XSD held in memory.
    public init(bytes: some Collection<UInt8>, limits: XMLLimits = .schema) throws(XMLError) {
        let document: XMLDocument
        do {
            document = try XMLDocument.parse(bytes, limits: limits)
        } catch {
            throw XMLError(kind: .invalidSchema, problems: error.problems, omittedProblems: error.omittedProblems)
        }
        guard document.root.name == "schema", document.root.namespaceURI == Self.xsdNamespace else {
            throw XMLError(kind: .invalidSchema, message: "the root element is not xs:schema", position: document.root.position)
        }
        try Self.refuseReferences(in: document.root)

        let collector = ProblemCollector(positions: document.elementPositions, limit: 20)
        LibXML2.schemaCompilation.withLock { _ in
            document.withTree { tree in
                guard let parser = xmlSchemaNewDocParserCtxt(tree) else { return }
                defer { xmlSchemaFreeParserCtxt(parser) }
                xmlSchemaSetParserStructuredErrors(parser, { ProblemCollector.report($0, $1) },
                                                   Unmanaged.passUnretained(collector).toOpaque())
                collector.schema = xmlSchemaParse(parser)
            }
        }
        guard let schema = collector.schema else {
            let problems = collector.problems.isEmpty ? [XMLProblem(message: "libxml2 could not compile the schema")] : collector.problems
            throw XMLError(kind: .invalidSchema, problems: problems, omittedProblems: collector.omitted)
        }
        self.schema = schema
        self.source = document
    }

    /// Compiles the XSD in a file (of the repository's `schemas/`, read at start-up).
    /// Problems name the file.
    public convenience init(contentsOfFile path: String, limits: XMLLimits = .schema) throws(XMLError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw XMLError(kind: .invalidSchema, message: "\(path): cannot be read (\(error))")
        }
        do {
            try self.init(bytes: bytes, limits: limits)
        } catch {
            var named = error
            named.problems = error.problems.map { XMLProblem(message: "\(path): \($0.message)", position: $0.position, path: $0.path) }
            throw named
        }
    }

    deinit { xmlSchemaFree(schema) }

    /// Checks a document against this schema; safe to call from many tasks at once.
    ///
    /// Throws ``XMLError/Kind/invalid`` listing up to `maxProblems` violations in document order,
    /// each with libxml2's message, the line and column of the start tag of the element concerned
    /// (for an attribute, of its element) and the element's path; ``XMLError/omittedProblems``
    /// counts the rest.
    public func validate(_ document: XMLDocument, maxProblems: Int = 20) throws(XMLError) {
        let collector = ProblemCollector(positions: document.elementPositions, limit: max(maxProblems, 1))
        let result: Int32 = document.withTree { tree in
            guard let validator = xmlSchemaNewValidCtxt(schema) else { return -1 }
            defer { xmlSchemaFreeValidCtxt(validator) }
            xmlSchemaSetValidStructuredErrors(validator, { ProblemCollector.report($0, $1) },
                                              Unmanaged.passUnretained(collector).toOpaque())
            return xmlSchemaValidateDoc(validator, tree)
        }
        guard result != 0 else { return }
        if collector.problems.isEmpty {
            let message = result < 0 ? "libxml2 could not validate the document (internal error \(result))" : "the document does not match the schema"
            throw XMLError(kind: .invalid, message: message)
        }
        throw XMLError(kind: .invalid, problems: collector.problems, omittedProblems: collector.omitted)
    }

    private static func refuseReferences(in element: XMLElement) throws(XMLError) {
        if element.namespaceURI == xsdNamespace, ["include", "import", "redefine", "override"].contains(element.name) {
            throw XMLError(kind: .invalidSchema, message: "xs:\(element.name) is not supported: a schema must be self-contained",
                           position: element.position)
        }
        for child in element.elements {
            try refuseReferences(in: child)
        }
    }
}

/// Collects libxml2's structured errors for one schema compile or validation.
private final class ProblemCollector {
    let positions: [XMLPosition]
    let limit: Int
    var problems: [XMLProblem] = []
    var omitted = 0
    var schema: xmlSchemaPtr?

    init(positions: [XMLPosition], limit: Int) {
        self.positions = positions
        self.limit = limit
    }

    static func report(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
        guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let collector = Unmanaged<ProblemCollector>.fromOpaque(context).takeUnretainedValue()
        guard collector.problems.count < collector.limit else {
            collector.omitted += 1
            return
        }
        let node = error.pointee.node?.assumingMemoryBound(to: xmlNode.self)
        let position = XMLDocument.position(of: node, in: collector.positions)
            ?? XMLPosition(line: Int(error.pointee.line), column: Int(error.pointee.int2))
        collector.problems.append(XMLProblem(message: LibXML2.message(error.pointee.message), position: position,
                                             path: node.map(path(of:))))
    }

    /// `/a/b[2]/@c`: local names from the root, an index where an element has same-named siblings.
    private static func path(of node: xmlNodePtr) -> String {
        var parts: [String] = []
        var current: xmlNodePtr? = node
        if node.pointee.type == XML_ATTRIBUTE_NODE {
            parts.append("@" + (LibXML2.string(node.pointee.name) ?? ""))
            current = node.pointee.parent
        }
        while let element = current, element.pointee.type == XML_ELEMENT_NODE {
            func isNamesake(_ other: xmlNodePtr) -> Bool {
                other.pointee.type == XML_ELEMENT_NODE && xmlStrEqual(other.pointee.name, element.pointee.name) != 0
                    && xmlStrEqual(other.pointee.ns?.pointee.href, element.pointee.ns?.pointee.href) != 0
            }
            var index = 1
            var sibling = element.pointee.prev
            while let other = sibling {
                if isNamesake(other) { index += 1 }
                sibling = other.pointee.prev
            }
            var hasLaterNamesake = false
            sibling = element.pointee.next
            while index == 1, let other = sibling, !hasLaterNamesake {
                hasLaterNamesake = isNamesake(other)
                sibling = other.pointee.next
            }
            let name = LibXML2.string(element.pointee.name) ?? ""
            parts.append(index > 1 || hasLaterNamesake ? "\(name)[\(index)]" : name)
            current = element.pointee.parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }
}
