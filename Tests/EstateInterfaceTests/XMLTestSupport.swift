@testable import EstateInterface
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import Testing

/// `schemas/api/` of the repository: the XSDs and the index the generator writes.
enum XMLSchemas {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // EstateInterfaceTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository
        .appendingPathComponent("schemas/api")

    static let namespace = "urn:estate:api:v1"
    static let problemNamespace = "urn:ietf:rfc:7807"
    static let schemaInstance = "http://www.w3.org/2001/XMLSchema-instance"

    /// The contract as the server reads it, from the repository's schemas/api.
    static let contract: XMLContract = {
        do {
            return try XMLContract(directory: directory)
        } catch {
            fatalError("schemas/api: \(error)")
        }
    }()

    /// Every XSD of schemas/api, compiled once for the whole test run.
    static let compiled: [String: Result<XMLSchema, XMLError>] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var schemas: [String: Result<XMLSchema, XMLError>] = [:]
        for file in files where file.hasSuffix(".xsd") {
            schemas[file] = Result { () throws(XMLError) in try XMLSchema(contentsOfFile: directory.appendingPathComponent(file).path) }
        }
        return schemas
    }()

    /// The document a response of `operation` (`"GET /v1/buildings/{id}"`) should be: the
    /// operation's success document for 2xx, the problem otherwise.
    static func document(for operation: String, status: Int) throws -> XMLContract.Document {
        guard let document = status < 300 ? contract.responses[operation] : contract.problem else {
            throw Harness.Failure("no XML document for \(operation) → \(status)")
        }
        return document
    }
}

/// A response to an XML client: its XML parsed and checked against the XSD its operation names.
struct XMLReply {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let root: LibXML.XMLElement?

    var contentType: String { headers[.contentType] ?? "" }

    /// The body read as plain values (``XMLPlain``).
    var plain: XMLPlain { root.map(XMLPlain.value(of:)) ?? .null }

    /// A member's text (`code`, `id`, ...).
    func text(_ member: String) -> String? {
        root?.elements.first { $0.name == member }?.text
    }

    /// The problem's field errors as (field, line, column).
    var fieldErrors: [(field: String, line: Int?, column: Int?)] {
        let errors = root?.elements.first { $0.name == "errors" }?.elements ?? []
        return errors.map { error in
            let value = { (name: String) in error.elements.first { $0.name == name }?.text }
            return (value("field") ?? "", value("line").flatMap { Int($0) }, value("column").flatMap { Int($0) })
        }
    }
}

/// Sends a request as an XML client (`Accept: application/xml` unless `accept` says otherwise, an
/// XML body when given) and checks the answer: every XML response must be the document its
/// operation names (root element and namespace) and valid against that document's XSD; an error
/// must be `application/problem+xml`.
func xmlCall(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, operation: String,
             token: String?, xml: String? = nil, contentType: String = "application/xml", accept: String = "application/xml",
             ifMatch: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> XMLReply {
    var fields: HTTPFields = [.accept: accept]
    if let token { fields[.authorization] = "Bearer \(token)" }
    if let ifMatch { fields[.ifMatch] = ifMatch }
    if xml != nil { fields[.contentType] = contentType }
    return try await client.execute(uri: uri, method: method, headers: fields, body: xml.map { ByteBuffer(string: $0) }) { response in
        let text = String(buffer: response.body)
        let type = response.headers[.contentType] ?? ""
        guard type.hasPrefix("application/xml") || type.hasPrefix("application/problem+xml") else {
            return XMLReply(status: response.status, headers: response.headers, text: text, root: nil)
        }
        #expect(response.headers[.vary] == "Accept", sourceLocation: sourceLocation)
        let expectedType = response.status.code < 400 ? "application/xml; charset=utf-8" : "application/problem+xml; charset=utf-8"
        #expect(type == expectedType, "\(operation) → \(response.status.code)", sourceLocation: sourceLocation)
        let parsed = try XMLDocument.parse(Array(response.body.readableBytesView))
        let document = try XMLSchemas.document(for: operation, status: response.status.code)
        #expect(parsed.root.name == document.root && parsed.root.namespaceURI == document.namespace,
                "\(operation) → \(response.status.code): root {\(parsed.root.namespaceURI ?? "")}\(parsed.root.name), expected \(document.root)",
                sourceLocation: sourceLocation)
        let schema = try #require(XMLSchemas.compiled[document.file], "no compiled \(document.file)", sourceLocation: sourceLocation).get()
        do {
            try schema.validate(parsed)
        } catch {
            Issue.record("\(operation) → \(response.status.code) is not valid against \(document.file): \(error)\n\(text)",
                         sourceLocation: sourceLocation)
        }
        return XMLReply(status: response.status, headers: response.headers, text: text, root: parsed.root)
    }
}

/// JSON and XML documents as the same plain values, to compare what they carry: objects by
/// member, arrays in order, every scalar as its text (`true`, `12`, `"89.50"` → `89.50`), `null`
/// as null; an empty array, object or string all read as "" (in XML they are one empty element).
indirect enum XMLPlain: Equatable, CustomStringConvertible {
    case null
    case text(String)
    case list([XMLPlain])
    case object([String: XMLPlain])

    var description: String {
        switch self {
        case .null: "null"
        case .text(let text): "\"\(text)\""
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    static func value(of element: LibXML.XMLElement) -> XMLPlain {
        if element.attribute(named: "nil", namespaceURI: XMLSchemas.schemaInstance) == "true" { return .null }
        let children = element.elements
        if children.isEmpty { return .text(element.text) }
        if children.allSatisfy({ $0.name == "i" }) { return .list(children.map(value(of:))) }
        return .object(Dictionary(children.map { ($0.name, value(of: $0)) }, uniquingKeysWith: { first, _ in first }))
    }

    /// A JSON document's plain values.
    static func value(ofJSON data: Data) throws -> XMLPlain {
        try JSONDecoder().decode(PlainJSON.self, from: data).value
    }

    /// Whether a JSON body and an XML reply carry the same data.
    static func same(json data: Data, xml: XMLReply) throws -> Bool {
        try value(ofJSON: data) == xml.plain
    }

    private struct PlainJSON: Decodable {
        let value: XMLPlain

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = .null
            } else if let flag = try? container.decode(Bool.self) {
                value = .text(flag ? "true" : "false")
            } else if let text = try? container.decode(String.self) {
                value = .text(text)
            } else if let number = try? container.decode(Decimal.self) {
                value = .text("\(number)")
            } else if let array = try? container.decode([PlainJSON].self) {
                value = array.isEmpty ? .text("") : .list(array.map(\.value))
            } else {
                let object = try container.decode([String: PlainJSON].self)
                value = object.isEmpty ? .text("") : .object(object.mapValues(\.value))
            }
        }
    }
}
