import Foundation
import EstateTestSupport
@testable import LibXML
import Testing

@Suite("XSD validation")
struct SchemaTests {
    /// A tiny schema for the tests only; real schemas live in the repository's schemas/.
    static let dealSchema = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:estate:test"
                   xmlns="urn:estate:test" elementFormDefault="qualified">
          <!-- a deal: a room, a price, payments -->
          <xs:element name="deal">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="room" type="xs:string"/>
                <xs:element name="price" type="xs:decimal"/>
                <xs:element name="payment" minOccurs="0" maxOccurs="unbounded">
                  <xs:complexType>
                    <xs:attribute name="amount" type="xs:decimal" use="required"/>
                  </xs:complexType>
                </xs:element>
              </xs:sequence>
              <xs:attribute name="id" type="xs:string" use="required"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """

    static let schema: XMLSchema = {
        do { return try XMLSchema(bytes: bytes(dealSchema)) } catch { fatalError("\(error)") }
    }()

    static let validDeal = """
        <?xml version="1.0" encoding="UTF-8"?>
        <deal xmlns="urn:estate:test" id="d1">
          <room>A-101</room>
          <price>1250000.00</price>
          <payment amount="1.00"/>
        </deal>
        """

    @Test func acceptsAValidDocument() throws {
        try Self.schema.validate(XMLDocument.parse(bytes(Self.validDeal)))
    }

    @Test func reportsEveryViolationWithLineColumnAndPath() throws {
        let document = try XMLDocument.parse(bytes("""
            <?xml version="1.0" encoding="UTF-8"?>
            <deal xmlns="urn:estate:test" id="d1">
              <room>A-101</room>
              <price>abc</price>
              <payment amount="1.00"/>
              <payment amount="x"/>
            </deal>
            """))
        let error = #expect(throws: XMLError.self) { try Self.schema.validate(document) }
        #expect(error?.kind == .invalid)
        #expect(error?.problems.map(\.position) == [XMLPosition(line: 4, column: 3), XMLPosition(line: 6, column: 3)])
        #expect(error?.problems.map(\.path) == ["/deal/price", "/deal/payment[2]"])
        #expect(error?.problems.first?.message.contains("xs:decimal") == true)
        #expect(error?.problems.last?.message.contains("attribute 'amount'") == true)
        #expect(error?.line == 4)
        #expect(error?.column == 3)
        #expect(error?.omittedProblems == 0)
    }

    @Test func reportsStructuralViolations() throws {
        let missing = try XMLDocument.parse(bytes("<deal xmlns=\"urn:estate:test\">\n<price>1</price></deal>"))
        let error = #expect(throws: XMLError.self) { try Self.schema.validate(missing) }
        #expect(error?.kind == .invalid)
        #expect(error?.problems.count == 2)   // the missing id attribute, the missing room
        #expect(error?.problems.map(\.position) == [XMLPosition(line: 1, column: 1), XMLPosition(line: 2, column: 1)])

        let wrongNamespace = try XMLDocument.parse(bytes("<deal id=\"1\"><room/><price>1</price></deal>"))
        #expect(throws: XMLError.self) { try Self.schema.validate(wrongNamespace) }
    }

    @Test func keepsAtMostTheRequestedNumberOfProblems() throws {
        let payments = String(repeating: "<payment amount=\"x\"/>\n", count: 30)
        let document = try XMLDocument.parse(bytes("<deal xmlns=\"urn:estate:test\" id=\"1\"><room/><price>1</price>\n\(payments)</deal>"))
        let error = #expect(throws: XMLError.self) { try Self.schema.validate(document, maxProblems: 5) }
        #expect(error?.problems.count == 5)
        #expect(error?.omittedProblems == 25)
        #expect(error?.problems.last?.path == "/deal/payment[5]")
        #expect(error?.problems.last?.position == XMLPosition(line: 6, column: 1))
        #expect("\(error!)".hasSuffix("; and 25 more"))
    }

    @Test func ignoresSchemaLocationsNamedByTheDocument() throws {
        let listener = try LoopbackListener()
        let secret = try SecretFile()
        defer { secret.remove() }
        // An "evil" schema that would accept anything sits at both locations; validation must not care.
        try Data("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>".utf8).write(to: URL(fileURLWithPath: secret.path))
        let attributes = """
            xmlns="urn:estate:test" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="urn:estate:test http://127.0.0.1:\(listener.port)/evil.xsd" \
            xsi:noNamespaceSchemaLocation="\(secret.url)"
            """
        let valid = try XMLDocument.parse(bytes("<deal \(attributes) id=\"1\"><room/><price>1</price></deal>"))
        try Self.schema.validate(valid)
        let invalid = try XMLDocument.parse(bytes("<deal \(attributes) id=\"1\"><anything/></deal>"))
        let error = #expect(throws: XMLError.self) { try Self.schema.validate(invalid) }
        #expect(error?.problems.first?.path == "/deal/anything")
        #expect(listener.takeConnections() == 0)
    }

    @Test func compilesFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deal-\(UUID().uuidString).xsd").path
        try Data(Self.dealSchema.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let schema = try XMLSchema(contentsOfFile: path)
        try schema.validate(XMLDocument.parse(bytes(Self.validDeal)))

        let missing = #expect(throws: XMLError.self) { try XMLSchema(contentsOfFile: path + ".missing") }
        #expect(missing?.kind == .invalidSchema)
        #expect(missing?.message.hasPrefix(path + ".missing: cannot be read") == true)
    }

    @Test func refusesSchemasThatAreNotSelfContainedOrNotSchemas() {
        let xs = "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
        let cases: [(String, String)] = [
            ("<xs:schema \(xs)><xs:include schemaLocation=\"file:///etc/passwd\"/></xs:schema>", "xs:include"),
            ("<xs:schema \(xs)>\n  <xs:import namespace=\"urn:x\" schemaLocation=\"http://127.0.0.1:9/x.xsd\"/></xs:schema>", "xs:import"),
            ("<xs:schema \(xs)><xs:redefine schemaLocation=\"other.xsd\"/></xs:schema>", "xs:redefine"),
            ("<!DOCTYPE xs:schema [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xs:schema \(xs)/>", "declarations"),
            ("<schema/>", "xs:schema"),
            ("<xs:schema \(xs)><xs:element name=\"a\" type=\"xs:nonsense\"/></xs:schema>", "nonsense"),
            ("<xs:schema \(xs)><xs:element/></xs:schema>", "name"),
            ("not xml", "Start tag"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: XMLError.self, "\(text)") { try XMLSchema(bytes: bytes(text)) }
            #expect(error?.kind == .invalidSchema, "\(text)")
            #expect(error?.problems.contains { $0.message.contains(expected) } == true, "\(text): \(String(describing: error))")
        }
        let positioned = #expect(throws: XMLError.self) {
            try XMLSchema(bytes: bytes("<xs:schema \(xs)>\n  <xs:element name=\"a\" type=\"xs:nonsense\"/></xs:schema>"))
        }
        #expect(positioned?.problems.first?.position == XMLPosition(line: 2, column: 3))
    }

    /// One compiled schema, many validations at once, each with its own validation context.
    @Test func validatesConcurrently() async throws {
        let schema = try XMLSchema(bytes: bytes(Self.dealSchema))
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let price = index % 3 == 0 ? "bad-\(index)" : "\(index).50"
                    let document = try XMLDocument.parse(bytes("<deal xmlns=\"urn:estate:test\" id=\"\(index)\"><room/><price>\(price)</price></deal>"))
                    do throws(XMLError) {
                        try schema.validate(document)
                        return (index, true)
                    } catch {
                        #expect(error.problems.first?.message.contains("bad-\(index)") == true)
                        return (index, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0.value == ($0.key % 3 != 0) })
    }
}
