import EstateSchemas
import Foundation
import LibXML

/// The XML side of the contract, read once per process from `schemas/api/` (generated from
/// `openapi/openapi.yaml` by `scripts/xsd-from-openapi.py`): for each operation
/// (`"POST /v1/projects/{id}/buildings"`, as the router names it) the document its request body is
/// (with the compiled XSD and the shapes that type its elements) and the document its success
/// response is (root element and namespace).
final class XMLContract: Sendable {
    struct Document: Sendable, Decodable {
        let root: String
        let namespace: String
        let file: String
    }

    struct RequestDocument: Sendable {
        let document: Document
        let schema: XMLSchema
        let shapes: XMLShapes
    }

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Index: Decodable {
        struct Operation: Decodable {
            let request: String?
            let response: String?
        }
        let item: String
        let problem: String
        let documents: [String: Document]
        let operations: [String: Operation]
    }

    /// Request documents by operation.
    let requests: [String: RequestDocument]
    /// Success-response documents by operation.
    let responses: [String: Document]
    let problem: Document

    /// The contract of this process, from the resource bundle; read on first use.
    static let shared: Result<XMLContract, LoadError> = {
        guard let directory = EstateSchemas.apiDirectory else {
            return .failure(LoadError(description: "the resource folder with schemas/api is missing beside the program"))
        }
        return Result { () throws(LoadError) in try XMLContract(directory: directory) }
    }()

    init(directory: URL) throws(LoadError) {
        let index: Index
        do {
            index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: directory.appendingPathComponent("index.json")))
        } catch {
            throw LoadError(description: "\(directory.path)/index.json: \(error)")
        }
        guard index.item == XMLMapping.item, let problem = index.documents[index.problem] else {
            throw LoadError(description: "\(directory.path)/index.json: written by another version of the generator")
        }
        var compiled: [String: RequestDocument] = [:]
        var requests: [String: RequestDocument] = [:]
        var responses: [String: Document] = [:]
        for (operation, entry) in index.operations {
            if let name = entry.response {
                guard let document = index.documents[name] else { throw LoadError(description: "\(operation): no document \(name)") }
                responses[operation] = document
            }
            guard let name = entry.request else { continue }
            if let known = compiled[name] {
                requests[operation] = known
                continue
            }
            guard let document = index.documents[name] else { throw LoadError(description: "\(operation): no document \(name)") }
            let path = directory.appendingPathComponent(document.file).path
            do {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                let shapes = try XMLShapes(schema: try XMLDocument.parse(bytes, limits: .schema).root)
                guard shapes.rootName == document.root else {
                    throw LoadError(description: "declares \(shapes.rootName), the index says \(document.root)")
                }
                let request = RequestDocument(document: document, schema: try XMLSchema(bytes: bytes), shapes: shapes)
                compiled[name] = request
                requests[operation] = request
            } catch {
                throw LoadError(description: "\(path): \(error)")
            }
        }
        self.requests = requests
        self.responses = responses
        self.problem = problem
    }

    static func operation(_ method: String, _ route: String?) -> String {
        "\(method) \(route ?? "")"
    }
}

extension EstateAPI {
    /// Reads and compiles the XML contract (``XMLContract``) and the integration documents'
    /// schemas (``IntegrationSchemas``) now; `serve` calls it at start, so
    /// that a missing or broken `schemas/api` stops the program instead of failing XML requests.
    public static func loadXMLContract() throws {
        _ = try XMLContract.shared.get()
        _ = try IntegrationSchemas.shared.get()
    }
}
