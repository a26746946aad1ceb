import CLibXML2

/// The state of one `xmlCtxtReadMemory` call, reached from libxml2's callbacks through the parser
/// context's `_private` field. Lives on the calling thread for the duration of the call only.
final class ParseSession {
    let limits: XMLLimits
    /// The first reason to refuse the document; once set, the parser is stopped.
    private(set) var failure: XMLError?
    private var depth = 0
    /// Elements libxml2 has started.
    private(set) var elements = 0

    init(limits: XMLLimits) {
        self.limits = limits
    }

    /// Replaces the callbacks of the context's own SAX handler (a copy per context) that would
    /// act on a DTD, and wraps the element callbacks to enforce the limits. Errors are reported to
    /// this session, per context: libxml2's global error handlers are never used.
    func install(on ctxt: xmlParserCtxtPtr) {
        ctxt.pointee._private = Unmanaged.passUnretained(self).toOpaque()
        guard let sax = ctxt.pointee.sax else { return }
        // A DOCTYPE is refused as soon as its name is read, before `[`: no declaration of the
        // internal subset is ever parsed, so no entity exists. The other callbacks can only be
        // reached from inside a DTD; they refuse as well.
        sax.pointee.internalSubset = { ctx, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.externalSubset = { ctx, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.entityDecl = { ctx, _, _, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.unparsedEntityDecl = { ctx, _, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.notationDecl = { ctx, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.attributeDecl = { ctx, _, _, _, _, _, tree in
            xmlFreeEnumeration(tree)    // the callback owns it
            ParseSession.refuseDeclaration(ctx)
        }
        sax.pointee.elementDecl = { ctx, _, _, _ in ParseSession.refuseDeclaration(ctx) }
        sax.pointee.resolveEntity = { ctx, _, _ in
            ParseSession.refuseDeclaration(ctx)
            return nil
        }
        sax.pointee.getParameterEntity = { ctx, _ in
            ParseSession.refuseDeclaration(ctx)
            return nil
        }
        sax.pointee.startElementNs = { ctx, localName, prefix, uri, namespaceCount, namespaces, attributeCount, defaulted, attributes in
            xmlSAX2StartElementNs(ctx, localName, prefix, uri, namespaceCount, namespaces, attributeCount, defaulted, attributes)
            guard let (session, ctxt) = ParseSession.of(ctx) else { return }
            session.elements += 1
            session.depth += 1
            if session.elements > session.limits.maxElements {
                session.fail(.tooManyElements, "more than \(session.limits.maxElements) elements", ctxt)
            } else if session.depth > session.limits.maxDepth {
                session.fail(.tooDeep, "elements nested deeper than \(session.limits.maxDepth)", ctxt)
            } else if Int(namespaceCount) + Int(attributeCount) > session.limits.maxAttributesPerElement {
                session.fail(.tooManyAttributes, "more than \(session.limits.maxAttributesPerElement) attributes in one start tag", ctxt)
            }
        }
        sax.pointee.endElementNs = { ctx, localName, prefix, uri in
            xmlSAX2EndElementNs(ctx, localName, prefix, uri)
            ParseSession.of(ctx)?.session.depth -= 1
        }
        sax.pointee.serror = { userData, error in
            guard let error, let (session, ctxt) = ParseSession.of(userData) else { return }
            // Warnings (e.g. a relative namespace URI) pass; any error stops the parser at once,
            // so that libxml2 never goes on reading input it has already found wrong.
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let position = XMLPosition(line: Int(error.pointee.line), column: Int(error.pointee.int2))
            session.fail(XMLError(kind: .malformed, message: LibXML2.message(error.pointee.message), position: position), ctxt)
        }
    }

    private static func of(_ ctx: UnsafeMutableRawPointer?) -> (session: ParseSession, ctxt: xmlParserCtxtPtr)? {
        guard let ctxt = ctx?.assumingMemoryBound(to: xmlParserCtxt.self), let session = ctxt.pointee._private else { return nil }
        return (Unmanaged<ParseSession>.fromOpaque(session).takeUnretainedValue(), ctxt)
    }

    private static func refuseDeclaration(_ ctx: UnsafeMutableRawPointer?) {
        guard let (session, ctxt) = of(ctx) else { return }
        session.fail(.doctypeForbidden, "document type and markup declarations are not accepted", ctxt)
    }

    private func fail(_ kind: XMLError.Kind, _ message: String, _ ctxt: xmlParserCtxtPtr) {
        var position: XMLPosition?
        if let input = ctxt.pointee.input {
            position = XMLPosition(line: Int(input.pointee.line), column: Int(input.pointee.col))
        }
        fail(XMLError(kind: kind, message: message, position: position), ctxt)
    }

    private func fail(_ error: XMLError, _ ctxt: xmlParserCtxtPtr) {
        if failure == nil { failure = error }
        xmlStopParser(ctxt)
    }
}
