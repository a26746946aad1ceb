@testable import EstateInterface
import EstateSchemas
import Foundation
import LibXML
import Testing

/// The integration documents' XSDs (schemas/integration) and their examples (schemas/examples):
/// every XSD compiles, has a versioned namespace of its own and at least one example; every
/// example is named after its XSD (`<xsd name>[.<variant>].xml`) and validates against it.
@Suite("Integration documents: schemas and examples")
struct IntegrationSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func files(_ folder: String, ending suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// The XSD an example belongs to: its name up to the first dot.
    static func schemaName(ofExample file: String) -> String {
        String(file.prefix { $0 != "." })
    }

    @Test("every integration XSD compiles, in a versioned namespace named after its file")
    func schemasCompile() throws {
        let loaded = try IntegrationSchemas(directory: Self.repository.appendingPathComponent("schemas/integration"))
        #expect(try Set(loaded.schemas.keys) == Set(Self.files("schemas/integration", ending: ".xsd").map { String($0.dropLast(4)) }))
        for (name, schema) in loaded.schemas {
            // property-handovers-v1 → urn:estate:integration:property:handovers:v1
            let parts = name.split(separator: "-")
            #expect(parts.count >= 3 && parts.last!.hasPrefix("v"), "\(name): name it <system>-<document>-v<N>.xsd")
            let expected = "urn:estate:integration:\(parts[0]):\(parts.dropFirst().dropLast().joined(separator: "-")):\(parts.last!)"
            #expect(schema.namespace == expected, "\(name)")
        }
    }

    @Test("the program's bundle carries the same integration XSDs")
    func bundled() throws {
        let directory = try #require(EstateSchemas.integrationDirectory)
        let loaded = try IntegrationSchemas(directory: directory)
        #expect(try Set(loaded.schemas.keys) == Set(Self.files("schemas/integration", ending: ".xsd").map { String($0.dropLast(4)) }))
    }

    @Test("every example validates against its XSD, and every XSD has an example")
    func examplesValidate() throws {
        let loaded = try IntegrationSchemas(directory: Self.repository.appendingPathComponent("schemas/integration"))
        let examples = try Self.files("schemas/examples", ending: ".xml")
        for file in examples {
            let schema = try #require(loaded.schemas[Self.schemaName(ofExample: file)], "\(file): no XSD of that name in schemas/integration")
            let bytes = try Data(contentsOf: Self.repository.appendingPathComponent("schemas/examples/\(file)"))
            let document = try XMLDocument.parse(bytes)
            #expect(document.root.namespaceURI == schema.namespace, "\(file)")
            #expect(throws: Never.self, "\(file)") { try schema.schema.validate(document) }
        }
        for name in loaded.schemas.keys {
            #expect(examples.contains { Self.schemaName(ofExample: $0) == name }, "\(name).xsd has no example in schemas/examples")
        }
    }
}
