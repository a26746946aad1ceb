@testable import LibXML
import Testing

@Suite("XML parsing and reading")
struct ParsingTests {
    static let ns = "urn:estate:test"

    @Test func readsElementsAttributesAndText() throws {
        let document = try XMLDocument.parse(bytes("""
            <?xml version="1.0" encoding="utf-8"?>
            <deal xmlns="urn:estate:test" xmlns:x="urn:other" id="d-1" x:flag="yes">
              <room>A-101</room>
              <price currency="CNY">1250000.00</price>
              <x:note>first &amp; <![CDATA[<second>]]> &#x4E2D;</x:note>
              <payment amount="1.00"/><payment amount="2.00"/>
            </deal>
            """))
        let root = document.root
        #expect(root.name == "deal")
        #expect(root.namespaceURI == Self.ns)
        #expect(root.attribute(named: "id") == "d-1")
        #expect(root.attribute(named: "flag") == nil)
        #expect(root.attribute(named: "flag", namespaceURI: "urn:other") == "yes")
        #expect(root.attributes.map(\.name) == ["id", "flag"])   // namespace declarations are not attributes
        #expect(root.elements.map(\.name) == ["room", "price", "note", "payment", "payment"])
        #expect(root.firstElement(named: "room", namespaceURI: Self.ns)?.text == "A-101")
        #expect(root.firstElement(named: "room", namespaceURI: nil) == nil)
        let price = try #require(root.firstElement(named: "price", namespaceURI: Self.ns))
        #expect(price.text == "1250000.00")
        #expect(price.attribute(named: "currency") == "CNY")
        #expect(root.firstElement(named: "note", namespaceURI: "urn:other")?.text == "first & <second> 中")
        #expect(root.elements(named: "payment", namespaceURI: Self.ns).compactMap { $0.attribute(named: "amount") } == ["1.00", "2.00"])
        let onlyWhiteSpace = root.text.allSatisfy { $0.isWhitespace }
        #expect(onlyWhiteSpace)
    }

    @Test func positionsAreLinesAndCharacterColumnsOfStartTags() throws {
        let text = "\u{FEFF}<r>\n  <a/><ä\n     x=\"1\"/>\n\t<中 y=\"\n\"><b/></中></r>"
        let document = try XMLDocument.parse(bytes(text))
        let root = document.root
        #expect(root.position == XMLPosition(line: 1, column: 1))   // the byte order mark is not a column
        #expect(root.elements.map(\.position) == [XMLPosition(line: 2, column: 3), XMLPosition(line: 2, column: 7),
                                                   XMLPosition(line: 4, column: 2)])
        #expect(root.elements[2].elements.first?.position == XMLPosition(line: 5, column: 3))
        #expect(document.elementPositions.count == 5)
    }

    @Test func errorsCarryLibxml2sLineAndColumn() {
        guard case .failure(let error) = parseResult(bytes("<r>\n  <a>\n</r>")) else {
            Issue.record("accepted")
            return
        }
        #expect(error.kind == .malformed)
        #expect(error.line == 3)
        #expect(error.column != nil)
        #expect(error.message.contains("mismatch"))
        #expect(!error.message.contains("\n"))
        #expect("\(error)".hasPrefix("XMLError(malformed): line 3"))
    }

    @Test func scanErrorsHavePositions() {
        guard case .failure(let error) = parseResult(bytes("<r>\n  <b>x</b><!DOCTYPE r></r>")) else {
            Issue.record("accepted")
            return
        }
        #expect(error.kind == .doctypeForbidden)
        #expect(error.problems == [XMLProblem(message: "document type and markup declarations are not accepted",
                                              position: XMLPosition(line: 2, column: 11))])
        guard case .failure(let nul) = parseResult(bytes("<r>\nab") + [0] + bytes("</r>")) else {
            Issue.record("accepted")
            return
        }
        #expect(nul.position == XMLPosition(line: 2, column: 3))
    }

    @Test func commentsAndProcessingInstructionsAreDroppedAndTextJoins() throws {
        let document = try XMLDocument.parse(bytes("""
            <?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/evil.xsl"?>
            <!-- a comment --><r>one<!-- inside --> two<?pi x?> three<a/>four</r><!-- after -->
            """))
        #expect(document.root.children == [.text("one two three"), .element(XMLElement("a")), .text("four")])
    }

    @Test func acceptsAByteOrderMarkAndUTF8Declarations() throws {
        for text in ["<?xml version=\"1.0\" encoding=\"UTF-8\"?><r/>", "<?xml version='1.0' encoding='utf8' standalone='yes'?><r/>",
                     "<?xml version=\"1.0\"?><r/>", "<r/>"] {
            #expect(try XMLDocument.parse([0xEF, 0xBB, 0xBF] + bytes(text)).root.name == "r", "\(text)")
            #expect(try XMLDocument.parse(bytes(text)).root.name == "r", "\(text)")
        }
    }

    @Test func acceptsAnyCollectionOfBytes() throws {
        #expect(try XMLDocument.parse("<r>ok</r>".utf8).root.text == "ok")
        #expect(try XMLDocument.parse(bytes("xx<r>ok</r>").dropFirst(2)).root.text == "ok")
        #expect(try XMLDocument.parse(bytes("<r>ok</r>").lazy.map { $0 }).root.text == "ok")
    }

    @Test func limitsAreInclusive() throws {
        let limits = XMLLimits(maxBytes: 100, maxDepth: 3, maxElements: 4, maxAttributesPerElement: 2)
        let fits = bytes("<a x=\"1\" y=\"2\"><b><c/></b><d/></a>")
        #expect(try XMLDocument.parse(fits, limits: limits).root.elements.count == 2)
        #expect(try XMLDocument.parse(fits, limits: XMLLimits(maxBytes: fits.count, maxDepth: 3, maxElements: 4, maxAttributesPerElement: 2))
            .root.name == "a")
        #expect(throws: XMLError.self) { try XMLDocument.parse(fits, limits: XMLLimits(maxBytes: fits.count - 1)) }
        #expect(throws: XMLError.self) { try XMLDocument.parse(fits, limits: XMLLimits(maxDepth: 2)) }
        #expect(throws: XMLError.self) { try XMLDocument.parse(fits, limits: XMLLimits(maxElements: 3)) }
        #expect(throws: XMLError.self) { try XMLDocument.parse(fits, limits: XMLLimits(maxAttributesPerElement: 1)) }
        // Quotes and > inside attribute values do not confuse the count.
        let tricky = bytes("<a x='=\"=>' y=\">'=\"/>")
        #expect(try XMLDocument.parse(tricky, limits: limits).root.attribute(named: "x") == "=\"=>")
    }

    @Test func documentsCanCrossTasks() async throws {
        let document = try XMLDocument.parse(bytes("<r><a>1</a></r>"))
        let text = await Task.detached { document.root.elements.first?.text }.value
        #expect(text == "1")
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<50 {
                group.addTask { try XMLDocument.parse(bytes("<r\(index)/>")).root.name }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(names.count == 50)
    }
}

extension XMLError {
    var position: XMLPosition? { problems.first?.position }
}
