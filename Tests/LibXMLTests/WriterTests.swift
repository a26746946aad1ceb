@testable import LibXML
import Testing

@Suite("XML writing")
struct WriterTests {
    private func written(_ element: XMLElement) throws -> String {
        String(decoding: try element.serializedDocument(), as: UTF8.self)
    }

    @Test func writesADeclarationAndEscapes() throws {
        let element = XMLElement("r", attributes: [XMLAttribute("a", value: "x\"<&>'\t\n\r y")],
                                 children: [.text("a<b>&c]]>\"'\r\n\t"), .element(XMLElement("e"))])
        #expect(try written(element) == """
            <?xml version="1.0" encoding="UTF-8"?>
            <r a="x&quot;&lt;&amp;&gt;'&#9;&#10;&#13; y">a&lt;b&gt;&amp;c]]&gt;"'&#13;\n\t<e/></r>
            """)
    }

    @Test func writesNamespaces() throws {
        let element = XMLElement("deal", namespaceURI: "urn:a", attributes: [
            XMLAttribute("id", value: "1"), XMLAttribute("flag", namespaceURI: "urn:f", value: "y"),
            XMLAttribute("lang", namespaceURI: "http://www.w3.org/XML/1998/namespace", value: "en"),
        ], children: [
            .element(XMLElement("room", namespaceURI: "urn:a", attributes: [XMLAttribute("other", namespaceURI: "urn:f", value: "z")])),
            .element(XMLElement("plain", children: [.element(XMLElement("inner", namespaceURI: "urn:b",
                attributes: [XMLAttribute("q", namespaceURI: "urn:g", value: "")]))])),
        ])
        #expect(try written(element) == """
            <?xml version="1.0" encoding="UTF-8"?>
            <deal xmlns="urn:a" xmlns:ns1="urn:f" id="1" ns1:flag="y" xml:lang="en"><room ns1:other="z"/>\
            <plain xmlns=""><inner xmlns="urn:b" xmlns:ns2="urn:g" ns2:q=""/></plain></deal>
            """)
    }

    @Test func roundTripsThroughTheParser() throws {
        let tree = XMLElement("deal", namespaceURI: "urn:estate:test", attributes: [
            XMLAttribute("id", value: "d-1 \"quoted\" <tag> & 'apostrophe'"),
            XMLAttribute("spaces", value: "\ttab\nline\r\ncrlf  double"),
            XMLAttribute("flag", namespaceURI: "urn:f", value: "✓"),
        ], children: [
            .text("\n  "),
            .element(XMLElement("room", namespaceURI: "urn:estate:test", text: "A-101 中文 🏠")),
            .element(XMLElement("note", namespaceURI: "urn:other", text: "]]> and <![CDATA[ and \r\n and &amp;")),
            .element(XMLElement("empty", namespaceURI: nil)),
            .element(XMLElement("control", namespaceURI: "urn:estate:test", text: "\u{7F}\u{85}\u{A0}\u{FFFD}\u{10FFFF}")),
            .text("\n"),
        ])
        let document = try XMLDocument.parse(try tree.serializedDocument())
        #expect(document.root == tree)
        #expect(try document.root.serializedDocument() == tree.serializedDocument())
    }

    @Test(arguments: ["\u{0}", "\u{1}", "\u{8}", "\u{B}", "\u{C}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"])
    func refusesCharactersXMLCannotCarry(character: String) {
        for element in [XMLElement("r", text: "a\(character)b"), XMLElement("r", attributes: [XMLAttribute("a", value: character)])] {
            let error = #expect(throws: XMLError.self) { try element.serializedDocument() }
            #expect(error?.kind == .unwritable)
            #expect(error?.problems.first?.path?.hasPrefix("/r") == true)
        }
    }

    @Test func refusesBadNamesAndReservedAttributes() {
        let bad: [XMLElement] = [
            XMLElement(""), XMLElement("p:r"), XMLElement("1r"), XMLElement("r s"), XMLElement("-r"),
            XMLElement("r", attributes: [XMLAttribute("a:b", value: "")]),
            XMLElement("r", attributes: [XMLAttribute("xmlns", value: "urn:x")]),
            XMLElement("r", attributes: [XMLAttribute("p", namespaceURI: "http://www.w3.org/2000/xmlns/", value: "urn:x")]),
            XMLElement("r", attributes: [XMLAttribute("a", value: "1"), XMLAttribute("a", value: "2")]),
            XMLElement("r", attributes: [XMLAttribute("a", namespaceURI: "urn:x", value: "1"), XMLAttribute("a", namespaceURI: "urn:x", value: "2")]),
            XMLElement("r", namespaceURI: "http://www.w3.org/XML/1998/namespace"),
            XMLElement("r", children: [.element(XMLElement("ok")), .element(XMLElement("not ok"))]),
        ]
        for element in bad {
            #expect(throws: XMLError.self, "\(element)") { try element.serializedDocument() }
        }
        // Same local name in two namespaces is fine; so are names the writer only has to pass through.
        let fine = XMLElement("r.-_·9", attributes: [XMLAttribute("a", value: "1"), XMLAttribute("a", namespaceURI: "urn:x", value: "2"),
                                                     XMLAttribute("xmlnsish", value: "3")])
        #expect(throws: Never.self) { try fine.serializedDocument() }
    }
}
