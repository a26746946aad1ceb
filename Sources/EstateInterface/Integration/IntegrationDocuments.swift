import EstateSchemas
import Foundation
import HTTPTypes
import Hummingbird
import LibXML
import Logging

/// The integration documents exchanged with the group's other systems (property management, the
/// cost system, OA, finance): one hand-written XSD each in `schemas/integration/` named
/// `<system>-<document>-v<N>.xsd`, in the namespace `urn:estate:integration:<system>:<document>:v<N>`,
/// with examples in `schemas/examples/` that a test validates. Unlike the API's documents (one
/// mapping of the JSON model), these follow the partners' shape; every one is validated against
/// its XSD both ways: what we send (a failure is our fault, a 500 logged) and what we read.
final class IntegrationSchemas: Sendable {
    struct Schema: Sendable {
        /// The file's name without `.xsd`, e.g. `property-handovers-v1`.
        let name: String
        let namespace: String
        let schema: XMLSchema
    }

    let schemas: [String: Schema]

    /// The schemas of this process, compiled once from the resource bundle.
    static let shared: Result<IntegrationSchemas, XMLContract.LoadError> = {
        guard let directory = EstateSchemas.integrationDirectory else {
            return .failure(XMLContract.LoadError(description: "the resource folder with schemas/integration is missing beside the program"))
        }
        return Result { () throws(XMLContract.LoadError) in try IntegrationSchemas(directory: directory) }
    }()

    init(directory: URL) throws(XMLContract.LoadError) {
        var schemas: [String: Schema] = [:]
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".xsd") }.sorted()
        } catch {
            throw XMLContract.LoadError(description: "\(directory.path): \(error)")
        }
        for file in files {
            let path = directory.appendingPathComponent(file).path
            do {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                let root = try XMLDocument.parse(bytes, limits: .schema).root
                guard let namespace = root.attribute(named: "targetNamespace") else {
                    throw XMLContract.LoadError(description: "no targetNamespace")
                }
                let name = String(file.dropLast(".xsd".count))
                schemas[name] = Schema(name: name, namespace: namespace, schema: try XMLSchema(bytes: bytes))
            } catch {
                throw XMLContract.LoadError(description: "\(path): \(error)")
            }
        }
        self.schemas = schemas
    }

    /// The schema named `name` (the file name without `.xsd`); a missing one is a server fault.
    static func schema(_ name: String, logger: Logger) throws -> Schema {
        switch shared {
        case .success(let loaded):
            guard let schema = loaded.schemas[name] else {
                logger.error("no integration schema", metadata: ["schema": "\(name)"])
                throw Problem.internalError
            }
            return schema
        case .failure(let error):
            logger.error("the integration schemas cannot be read", metadata: ["error": "\(error)"])
            throw Problem.internalError
        }
    }
}

/// Sending and reading integration documents over HTTP (``IntegrationSchemas``).
enum IntegrationXML {
    static let mediaType = "application/xml; charset=utf-8"

    /// A response carrying the document `root` (its elements in the schema's namespace), after
    /// validating it against schema `name`: a document our own XSD refuses is never sent.
    static func response(_ root: XMLElement, schema name: String, status: HTTPResponse.Status = .ok,
                         headers: HTTPFields = [:], logger: Logger) throws -> Response {
        let schema = try IntegrationSchemas.schema(name, logger: logger)
        let bytes: [UInt8]
        do {
            bytes = try root.serializedDocument()
            try schema.schema.validate(try XMLDocument.parse(bytes, limits: XMLLimits(maxBytes: max(bytes.count, 1), maxDepth: 64,
                                                                               maxElements: max(bytes.count / 4, 1_000), maxAttributesPerElement: 64)))
        } catch {
            logger.error("an outgoing integration document does not match its schema",
                         metadata: ["schema": "\(name)", "error": "\(error)"])
            throw Problem.internalError
        }
        var headers = headers
        headers[.contentType] = mediaType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An inbound document of schema `name`: the body must be XML (`Content-Type: application/xml`
    /// or `text/xml`, else 415) and is read as every XML request body is
    /// (``XMLBodies/document(_:schema:namespace:file:limit:)``): malformed XML is a 400 `bad-request`,
    /// a document the XSD refuses a 400 `validation`, each error with its line and column.
    static func read(_ request: Request, context: some RequestContext, schema name: String) async throws -> XMLDocument {
        let schema = try IntegrationSchemas.schema(name, logger: context.logger)
        guard case .xml = try BodyFormat(contentType: request.headers[.contentType]) else {
            throw Problem(status: .unsupportedMediaType, code: "unsupported-media-type",
                          detail: "This operation reads an XML document (schemas/integration/\(name).xsd); send application/xml.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.contentTooLarge(limit: context.maxUploadSize)
        }
        return try XMLBodies.document(buffer, schema: schema.schema, namespace: schema.namespace, file: "integration/\(name).xsd",
                                      limit: context.maxUploadSize)
    }
}
