import EstateInterface
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

/// `openapi/openapi.yaml`, read with Yams, with the few look-ups the tests need: the documented
/// operations, and a light response check (documented status, media type, required headers and
/// the `required` properties of the body's schema).
struct OpenAPISpec {
    static let fileURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // EstateInterfaceTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository
        .appendingPathComponent("openapi/openapi.yaml")

    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    let root: [String: Any]

    static func load() throws -> OpenAPISpec {
        let text = try String(contentsOf: fileURL, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw Harness.Failure("\(fileURL.path) is not a YAML mapping")
        }
        return OpenAPISpec(root: root)
    }

    var paths: [String: Any] { root["paths"] as? [String: Any] ?? [:] }

    /// Every documented operation as `METHOD /path`.
    var operations: [String] {
        paths.flatMap { path, item -> [String] in
            let item = item as? [String: Any] ?? [:]
            return Self.methods.filter { item[$0] != nil }.map { "\($0.uppercased()) \(path)" }
        }.sorted()
    }

    func operation(_ method: String, _ path: String) -> [String: Any]? {
        (paths[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
    }

    /// Follows a local `$ref` (`#/components/...`) if the object is one.
    func resolve(_ object: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String, ref.hasPrefix("#/") else { return object }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return object }
            node = next
        }
        return resolve(node as? [String: Any] ?? [:])
    }

    func schema(named name: String) -> [String: Any]? {
        ((root["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]
    }

    /// The `required` properties of `schema` missing from `value`, recursing into properties and
    /// array items whose schema is a `$ref`; each as a path like `errors[0].field`.
    func missingRequired(in value: Any, schema: [String: Any], at path: String = "") -> [String] {
        let schema = resolve(schema)
        var missing: [String] = []
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                missing.append(path.isEmpty ? key : "\(path).\(key)")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, propertySchema) in properties {
                guard let propertySchema = propertySchema as? [String: Any], let child = object[key] else { continue }
                missing += missingRequired(in: child, schema: propertySchema, at: path.isEmpty ? key : "\(path).\(key)")
            }
        } else if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() {
                missing += missingRequired(in: element, schema: items, at: "\(path)[\(index)]")
            }
        }
        return missing
    }

    /// Checks `response` against the spec's description of `method path`: the status is documented,
    /// the media type is one it lists, its required headers are present, and a JSON body has the
    /// `required` properties of its schema. Returns what is wrong (empty when it conforms).
    func violations(of response: TestResponse, for method: String, _ path: String) -> [String] {
        guard let operation = operation(method, path) else { return ["\(method) \(path) is not in the spec"] }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let documented = (responses[String(response.status.code)] ?? responses["default"]) as? [String: Any] else {
            return ["\(method) \(path) does not document status \(response.status.code)"]
        }
        let description = resolve(documented)
        var problems: [String] = []
        for (name, header) in description["headers"] as? [String: Any] ?? [:] {
            let header = resolve(header as? [String: Any] ?? [:])
            if header["required"] as? Bool == true, response.headers[HTTPField.Name(name)!] == nil {
                problems.append("header \(name) missing")
            }
        }
        let content = description["content"] as? [String: Any] ?? [:]
        let mediaType = response.contentType.split(separator: ";").first.map(String.init) ?? ""
        guard let media = content[mediaType] as? [String: Any] else {
            return problems + ["media type \(mediaType) not among \(content.keys.sorted())"]
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] as? [String: Any] else { return problems }
        guard let body = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) else {
            return problems + ["body is not JSON"]
        }
        return problems + missingRequired(in: body, schema: schema).map { "required property \($0) missing" }
    }

    /// Checks a JSON body against a component schema by name (for responses of routes the spec
    /// does not describe, such as 404s and test-only routes).
    func violations(of response: TestResponse, schema name: String) -> [String] {
        guard let schema = schema(named: name) else { return ["no schema \(name)"] }
        guard let body = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) else {
            return ["body is not JSON"]
        }
        return missingRequired(in: body, schema: schema).map { "required property \($0) missing" }
    }
}

/// Expects `response` to conform to the spec's description of `method path`.
func expectConforms(_ response: TestResponse, to method: String, _ path: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let violations = try OpenAPISpec.load().violations(of: response, for: method, path)
    #expect(violations.isEmpty, "\(method) \(path) → \(response.status.code): \(violations)", sourceLocation: sourceLocation)
}

/// Expects `response` to be a problem document (media type and the Problem schema's required keys).
@discardableResult
func expectProblem(_ response: TestResponse, status: Int, code: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Problem {
    #expect(response.status.code == status, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.contentType == "application/problem+json", sourceLocation: sourceLocation)
    let violations = try OpenAPISpec.load().violations(of: response, schema: "Problem")
    #expect(violations.isEmpty, "\(violations)", sourceLocation: sourceLocation)
    let problem = try response.problem()
    #expect(problem.statusCode == status, sourceLocation: sourceLocation)
    if let code {
        #expect(problem.code == code, sourceLocation: sourceLocation)
        #expect(problem.type == "urn:estate:problem:\(code)", sourceLocation: sourceLocation)
    }
    #expect(problem.requestId == response.headers[.xRequestID], sourceLocation: sourceLocation)
    return problem
}
