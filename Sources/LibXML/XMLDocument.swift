import CLibXML2
import Synchronization

/// A parsed, well-formed XML document: its root as Swift values, and libxml2's tree kept for
/// schema validation (freed when the document is).
///
/// What ``parse(_:limits:)`` accepts:
/// - UTF-8 only, with or without a byte order mark; an XML declaration may name UTF-8 and nothing else.
/// - No DOCTYPE and no other markup declaration: refused before libxml2 reads a single declaration, so
///   no entity is ever defined, let alone expanded or fetched (billion laughs, XXE, external DTDs).
/// - Never any file or network access: `XML_PARSE_NONET`, no DTD loading, and an external entity
///   loader that refuses everything. XInclude is never processed: an `xi:include` element stays an element.
/// - No `XML_PARSE_NOENT`, `XML_PARSE_DTDLOAD`, `XML_PARSE_DTDVALID`, `XML_PARSE_XINCLUDE` or `XML_PARSE_HUGE`.
/// - Within ``XMLLimits``; libxml2's own limits (names up to 50,000 characters, nesting up to 256) apply too.
/// - Namespace-well-formed: an undeclared prefix is an error, not a warning.
/// - Processing instructions (`<?xml-stylesheet ...?>`) and comments are allowed and dropped: nothing
///   acts on them and they are not in ``root``.
public final class XMLDocument: Sendable {
    /// The root element, copied out of libxml2's memory.
    public let root: XMLElement
    /// The position of every element in document order; libxml2's node `_private` holds index + 1.
    let elementPositions: [XMLPosition]
    private let tree: Mutex<DocumentTree>

    private init(root: XMLElement, elementPositions: [XMLPosition], tree: consuming DocumentTree) {
        self.root = root
        self.elementPositions = elementPositions
        self.tree = Mutex(tree)
    }

    /// Parses a document held in memory; see the type's documentation for what is refused.
    public static func parse(_ bytes: some Collection<UInt8>, limits: XMLLimits = .default) throws(XMLError) -> XMLDocument {
        try parse(bytes, limits: limits, prescanning: true)
    }

    /// `prescanning: false` leaves the document to libxml2 and the SAX callbacks alone; tests use
    /// it to show that the second line of defence holds by itself.
    static func parse(_ bytes: some Collection<UInt8>, limits: XMLLimits, prescanning: Bool) throws(XMLError) -> XMLDocument {
        let count = bytes.count
        guard count <= limits.maxBytes else {
            throw XMLError(kind: .tooLarge, message: "the document has \(count) bytes; at most \(limits.maxBytes) are accepted")
        }
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(XMLError) in try parse(buffer: buffer, limits: limits, prescanning: prescanning) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(XMLError) in try parse(buffer: buffer, limits: limits, prescanning: prescanning) }
        }.get()
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: XMLLimits, prescanning: Bool) throws(XMLError) -> XMLDocument {
        guard let base = buffer.baseAddress, !buffer.isEmpty else {
            throw XMLError(kind: .malformed, message: "the document is empty", position: XMLPosition(line: 1, column: 1))
        }
        _ = LibXML2.ready
        let startTags = prescanning ? try XMLPrescan.scan(buffer, limits: limits).startTags : nil
        guard let ctxt = xmlNewParserCtxt() else {
            throw XMLError(kind: .malformed, message: "libxml2 could not create a parser (out of memory)")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        let session = ParseSession(limits: limits)
        session.install(on: ctxt)
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue
        let parsed = base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
            withExtendedLifetime(session) {
                xmlCtxtReadMemory(ctxt, chars, Int32(buffer.count), nil, nil, Int32(options))
            }
        }
        if let failure = session.failure {
            if let parsed { xmlFreeDoc(parsed) }
            throw failure
        }
        guard let parsed else {
            let error = xmlCtxtGetLastError(ctxt)
            let position = error.map { XMLPosition(line: Int($0.pointee.line), column: Int($0.pointee.int2)) }
            throw XMLError(kind: .malformed, message: LibXML2.message(error?.pointee.message), position: position)
        }
        let tree = DocumentTree(parsed)
        // The callbacks refused every DOCTYPE; this is a last check that none got into the tree.
        guard xmlGetIntSubset(parsed) == nil, parsed.pointee.extSubset == nil else {
            throw XMLError(kind: .doctypeForbidden, message: "document type declarations are not accepted")
        }
        guard let rootNode = xmlDocGetRootElement(parsed) else {
            throw XMLError(kind: .malformed, message: "the document has no root element")
        }
        // The scan and libxml2 see the same start tags in a well-formed document; if they ever did
        // not, positions fall back to libxml2's line numbers.
        var copier = TreeCopier(scanned: startTags?.count == session.elements ? startTags : nil)
        let root = copier.element(rootNode)
        return XMLDocument(root: root, elementPositions: copier.positions, tree: tree)
    }

    /// Runs `body` with libxml2's tree, holding the lock that serialises every use of it.
    func withTree<R: Sendable, E: Error>(_ body: (xmlDocPtr) throws(E) -> R) throws(E) -> R {
        try tree.withLock { (tree: inout DocumentTree) throws(E) -> R in try body(tree.pointer) }
    }

    /// The position of an element of this document's tree (of an attribute's element for an attribute).
    static func position(of node: xmlNodePtr?, in positions: [XMLPosition]) -> XMLPosition? {
        guard var node else { return nil }
        if node.pointee.type == XML_ATTRIBUTE_NODE, let parent = node.pointee.parent { node = parent }
        guard let tag = node.pointee._private.map({ Int(bitPattern: $0) }), tag >= 1, tag <= positions.count else { return nil }
        return positions[tag - 1]
    }
}

/// Owns libxml2's tree of one document.
///
/// `@unchecked Sendable` is safe: the type is `~Copyable`, so there is one owner at a time, and
/// once parsing is over nothing else points into the tree (the parser context is freed, the
/// ``XMLElement`` copy holds no pointers). Sending it moves the whole tree; ``XMLDocument`` keeps
/// it in a `Mutex`, so one thread at a time uses it.
struct DocumentTree: ~Copyable, @unchecked Sendable {
    let pointer: xmlDocPtr

    init(_ pointer: xmlDocPtr) { self.pointer = pointer }

    deinit { xmlFreeDoc(pointer) }
}

/// Copies libxml2's tree into ``XMLElement`` values, numbering elements in document order.
private struct TreeCopier {
    let scanned: [XMLPosition]?
    var positions: [XMLPosition] = []

    mutating func element(_ node: xmlNodePtr) -> XMLElement {
        let index = positions.count
        let position = scanned?[index] ?? XMLPosition(line: Int(xmlGetLineNo(node)), column: 0)
        positions.append(position)
        node.pointee._private = UnsafeMutableRawPointer(bitPattern: index + 1)

        var attributes: [XMLAttribute] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            var value = ""
            var text = current.pointee.children
            while let part = text {
                if let content = LibXML2.string(part.pointee.content) { value += content }
                text = part.pointee.next
            }
            attributes.append(XMLAttribute(LibXML2.string(current.pointee.name) ?? "",
                                           namespaceURI: LibXML2.string(current.pointee.ns?.pointee.href), value: value))
            attribute = current.pointee.next
        }

        var children: [XMLContent] = []
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(.element(element(current)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                let text = LibXML2.string(current.pointee.content) ?? ""
                // Text around a dropped comment or processing instruction joins up.
                if case .text(let previous)? = children.last {
                    children[children.count - 1] = .text(previous + text)
                } else if !text.isEmpty {
                    children.append(.text(text))
                }
            default:
                break   // comments, processing instructions
            }
            child = current.pointee.next
        }
        return XMLElement(LibXML2.string(node.pointee.name) ?? "", namespaceURI: LibXML2.string(node.pointee.ns?.pointee.href),
                          attributes: attributes, children: children, position: position)
    }
}
