import Foundation
import Hummingbird
import LibXML
import Logging

/// XML request and response bodies, by the one mapping (``XMLMapping``): what the request decoder
/// and the response encoder of ``EstateRequestContext`` call for XML clients.
enum XMLBodies {
    /// An XML request body of `operation` as the JSON document it maps to: parsed safely (no
    /// DOCTYPE, within limits), validated against the operation's XSD, then typed by it.
    /// Malformed XML is a 400 `bad-request`, a document its XSD refuses a 400 `validation`; each
    /// error names the field (`body` for the document itself) with its line and column.
    static func json(fromXML body: ByteBuffer, operation: String, limit: Int, logger: Logger) throws -> Data {
        let contract = try shared(logger: logger)
        guard let document = contract.requests[operation] else {
            throw Problem(status: .unsupportedMediaType, code: "unsupported-media-type",
                          detail: "This operation reads no XML body; send application/json.")
        }
        let parsed = try Self.document(body, schema: document.schema, namespace: document.document.namespace,
                                       file: "api/" + document.document.file, limit: limit)
        do {
            let tree = try XMLMapping.json(parsed.root, shape: document.shapes.root, shapes: document.shapes, path: "")
            return Data(tree.serialized)
        } catch {
            throw Problem.badRequest("The XML body cannot be read as its document.", errors: [
                .init(field: error.path.isEmpty ? "body" : error.path, message: error.message),
            ])
        }
    }

    /// An XML request body as a document of `schema` (at `schemas/<file>`): parsed safely (no
    /// DOCTYPE, within the limits for `limit` bytes), free of `xsi:schemaLocation` and
    /// `xsi:noNamespaceSchemaLocation` (a document is validated against our schema only, so one that
    /// names another is refused rather than silently judged by a schema it did not ask for), and
    /// valid. Each refusal is a 400 problem (413 beyond the body limit) with line and column.
    static func document(_ body: ByteBuffer, schema: XMLSchema, namespace: String, file: String, limit: Int) throws -> XMLDocument {
        let parsed: XMLDocument
        do {
            parsed = try XMLDocument.parse(body.readableBytesView, limits: limits(forBodyLimit: limit))
        } catch {
            throw problem(error, namespace: namespace, file: nil, limit: limit)
        }
        if let (element, attribute) = schemaLocation(in: parsed.root) {
            throw Problem(status: .badRequest, code: "bad-request",
                          detail: "The document names a schema of its own (xsi:\(attribute.name)); it is validated against schemas/\(file) only.",
                          errors: [.init(field: "body", message: "xsi:\(attribute.name) is not accepted", line: element.position?.line,
                                         column: element.position.flatMap { $0.column > 0 ? $0.column : nil })])
        }
        do {
            try schema.validate(parsed)
        } catch {
            throw problem(error, namespace: namespace, file: file, limit: limit)
        }
        return parsed
    }

    /// The first element (in document order) carrying `xsi:schemaLocation` or
    /// `xsi:noNamespaceSchemaLocation`, with that attribute.
    private static func schemaLocation(in element: LibXML.XMLElement) -> (LibXML.XMLElement, XMLAttribute)? {
        if let attribute = element.attributes.first(where: {
            $0.namespaceURI == XMLMapping.schemaInstance && ($0.name == "schemaLocation" || $0.name == "noNamespaceSchemaLocation")
        }) {
            return (element, attribute)
        }
        for child in element.elements {
            if let found = schemaLocation(in: child) { return found }
        }
        return nil
    }

    /// A JSON response body as the XML document of `operation` (nil when the operation has no
    /// documented success document, e.g. a route made for a test: it stays JSON).
    static func xml(fromJSON body: ByteBuffer, operation: String, logger: Logger) throws -> [UInt8]? {
        guard let document = try shared(logger: logger).responses[operation] else { return nil }
        return try xml(fromJSON: body, document: document)
    }

    /// A JSON document as XML; a text XML 1.0 cannot carry (a control character a JSON string may
    /// hold) is a 406: the data is never altered to fit.
    static func xml(fromJSON body: ByteBuffer, document: XMLContract.Document) throws -> [UInt8] {
        let tree = try JSONTree(parsing: body.readableBytesView)
        do {
            return try XMLMapping.element(document.root, namespace: document.namespace, value: tree).serializedDocument()
        } catch {
            let place = error.problems.first?.path.map { " (\($0))" } ?? ""
            throw Problem(status: .notAcceptable, code: "not-representable",
                          detail: "This document holds text that XML 1.0 cannot carry\(place): \(error.message). Ask for application/json.")
        }
    }

    static func shared(logger: Logger) throws -> XMLContract {
        switch XMLContract.shared {
        case .success(let contract):
            return contract
        case .failure(let error):
            logger.error("the XML contract cannot be read", metadata: ["error": "\(error)"])
            throw Problem.internalError
        }
    }

    /// The parser's limits for a body limit: that many bytes, and elements in proportion.
    static func limits(forBodyLimit limit: Int) -> XMLLimits {
        let bytes = min(max(limit, 1), Int(Int32.max))
        return XMLLimits(maxBytes: bytes, maxDepth: 32, maxElements: max(50_000, bytes / 32), maxAttributesPerElement: 32)
    }

    /// The problem for a body the parser or the XSD refuses (`file`: the XSD's path under `schemas/`).
    static func problem(_ error: XMLError, namespace: String, file: String?, limit: Int) -> Problem {
        let errors = error.problems.map { problem in
            Problem.FieldError(field: field(ofElementAt: problem.path),
                               message: problem.message.replacingOccurrences(of: "{\(namespace)}", with: "")
                                   .trimmingCharacters(in: .whitespacesAndNewlines),
                               line: problem.position?.line,
                               column: problem.position.flatMap { $0.column > 0 ? $0.column : nil })
        }
        let more = error.omittedProblems > 0 ? " (\(error.omittedProblems) more problems are not listed)" : ""
        switch error.kind {
        case .tooLarge:
            return .contentTooLarge(limit: limit)
        case .invalid:
            return Problem(status: .badRequest, code: "validation",
                           detail: "The XML body does not match its schema, schemas/\(file ?? "").\(more)", errors: errors)
        default:
            let position = error.problems.first?.position.map { " at \($0)" } ?? ""
            return Problem(status: .badRequest, code: "bad-request",
                           detail: "The body is not acceptable XML\(position): \(errors.first?.message ?? error.message)\(more)",
                           errors: errors.map { var body = $0; body.field = "body"; return body })
        }
    }

    /// The JSON path of an element from its XML path: `/CreateBuilding/stacks/i[2]/kind` is
    /// `stacks[1].kind`; the document itself is `body`.
    static func field(ofElementAt path: String?) -> String {
        var field = ""
        for step in (path ?? "").split(separator: "/").dropFirst() {
            var name = Substring(step)
            var position = 1
            if step.hasSuffix("]"), let open = step.lastIndex(of: "["), let index = Int(step[step.index(after: open)..<step.index(before: step.endIndex)]) {
                name = step[..<open]
                position = index
            }
            if name == Substring(XMLMapping.item) {
                field += "[\(position - 1)]"
            } else {
                field += field.isEmpty ? String(name) : ".\(name)"
            }
        }
        return field.isEmpty ? "body" : field
    }
}
