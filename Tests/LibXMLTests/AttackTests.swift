#if canImport(Glibc)
import Glibc
#endif
@testable import LibXML
import Testing

/// Hostile documents, each refused with the right kind, fast, without reading a file or opening a
/// connection. The time bound is a safety net against a hang or a blow-up, not a benchmark.
@Suite("XML attacks")
struct AttackTests {
    /// "Quickly": an attack that got through would take minutes or gigabytes (billion laughs, a
    /// quadratic blow-up); the bound is generous so that a busy test machine does not fail it.
    /// Figures, not asserts, are for speed: these are safety nets against blow-ups only.
    static let quickly: Duration = .seconds(10)
    struct Attack {
        let name: String
        let bytes: [UInt8]
        let kind: XMLError.Kind
        var limits: XMLLimits = .default
    }

    static func attacks(secret: SecretFile, port: UInt16) -> [Attack] {
        let url = "http://127.0.0.1:\(port)"
        let laughs = (1...9).map { level in
            "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }.joined()
        let bigEntity = String(repeating: "x", count: 50_000)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<r/>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let manyAttributes = "<r " + (0..<100_000).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"
        return [
            Attack(name: "external entity to a file", bytes: bytes(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"\(secret.url)\">]><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "external entity to /etc/passwd", bytes: bytes(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "external entity to a URL", bytes: bytes(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"\(url)/x\">]><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "external parameter entity", bytes: bytes(
                "<!DOCTYPE r [<!ENTITY % p SYSTEM \"\(url)/p.dtd\"> %p;]><r/>"), kind: .doctypeForbidden),
            Attack(name: "parameter entity defining an entity", bytes: bytes(
                "<!DOCTYPE r [<!ENTITY % d \"<!ENTITY x SYSTEM '\(secret.url)'>\"> %d;]><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "billion laughs", bytes: bytes(
                "<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">\(laughs)]><lolz>&lol9;</lolz>"), kind: .doctypeForbidden),
            Attack(name: "quadratic blow-up", bytes: bytes(
                "<!DOCTYPE r [<!ENTITY a \"\(bigEntity)\">]><r>" + String(repeating: "&a;", count: 5_000) + "</r>"), kind: .doctypeForbidden),
            Attack(name: "external DTD by SYSTEM id", bytes: bytes(
                "<!DOCTYPE r SYSTEM \"\(url)/r.dtd\"><r/>"), kind: .doctypeForbidden),
            Attack(name: "external DTD by PUBLIC id to a file", bytes: bytes(
                "<!DOCTYPE r PUBLIC \"-//Estate//Probe//EN\" \"\(secret.url)\"><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE with an internal subset only", bytes: bytes(
                "<!DOCTYPE r [<!ELEMENT r ANY><!ATTLIST r a CDATA \"default\">]><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE without a subset", bytes: bytes("<!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            Attack(name: "doctype in lower case", bytes: bytes("<!doctype r><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE in mixed case and odd spacing", bytes: bytes("<!DocType\n\tr\n[ ]  ><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE after a space in the declaration", bytes: bytes("<! DOCTYPE r><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE after a comment", bytes: bytes("<!-- hello --><!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE after a processing instruction", bytes: bytes("<?pi data?>\n<!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE after a byte order mark and declaration", bytes: [0xEF, 0xBB, 0xBF] + bytes(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "entity declaration without DOCTYPE", bytes: bytes("<!ENTITY x \"y\"><r>&x;</r>"), kind: .doctypeForbidden),
            Attack(name: "DOCTYPE inside the root", bytes: bytes("<r><!DOCTYPE r></r>"), kind: .doctypeForbidden),
            Attack(name: "deep nesting just past the limit", bytes: bytes(
                String(repeating: "<a>", count: 33) + String(repeating: "</a>", count: 33)), kind: .tooDeep),
            Attack(name: "deep nesting, 100,000 levels", bytes: bytes(String(repeating: "<a>", count: 100_000)), kind: .tooDeep),
            Attack(name: "too many elements", bytes: bytes("<r>" + String(repeating: "<a/>", count: 50_000) + "</r>"), kind: .tooManyElements),
            Attack(name: "too many attributes", bytes: bytes(
                "<r " + (0..<33).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"), kind: .tooManyAttributes),
            Attack(name: "quadratic attribute blow-up (100,000 in one tag)", bytes: bytes(manyAttributes), kind: .tooManyAttributes),
            Attack(name: "namespace declarations count as attributes", bytes: bytes(
                "<r " + (0..<33).map { "xmlns:p\($0)=\"urn:\($0)\"" }.joined(separator: " ") + "/>"), kind: .tooManyAttributes),
            Attack(name: "oversized document", bytes: bytes("<r>" + String(repeating: "x", count: 1 << 20) + "</r>"), kind: .tooLarge),
            Attack(name: "oversized by one byte", bytes: bytes("<r>" + String(repeating: "x", count: 94) + "</r>"), kind: .tooLarge,
                   limits: XMLLimits(maxBytes: 100)),
            Attack(name: "invalid UTF-8", bytes: bytes("<r>") + [0xC3, 0x28] + bytes("</r>"), kind: .malformed),
            Attack(name: "overlong UTF-8 for <", bytes: bytes("<r>") + [0xC0, 0xBC] + bytes("</r>"), kind: .malformed),
            Attack(name: "UTF-8 encoded surrogate", bytes: bytes("<r>") + [0xED, 0xA0, 0x80] + bytes("</r>"), kind: .malformed),
            Attack(name: "UTF-16 declared but UTF-8 content", bytes: bytes(
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r/>"), kind: .unsupportedEncoding),
            Attack(name: "ISO-8859-1 declared", bytes: bytes("<?xml version='1.0' encoding='ISO-8859-1'?><r>") + [0xE9] + bytes("</r>"),
                   kind: .unsupportedEncoding),
            Attack(name: "real UTF-16 with a byte order mark", bytes: utf16, kind: .unsupportedEncoding),
            Attack(name: "UTF-16 without a byte order mark", bytes: Array("<r/>".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
                   kind: .unsupportedEncoding),
            Attack(name: "NUL byte in text", bytes: bytes("<r>a") + [0] + bytes("b</r>"), kind: .malformed),
            Attack(name: "NUL byte after the root (libxml2 alone would stop there and accept)", bytes: bytes("<r/>") + [0] + bytes("<x/>"),
                   kind: .malformed),
            Attack(name: "control character", bytes: bytes("<r>\u{1}</r>"), kind: .malformed),
            Attack(name: "unterminated element", bytes: bytes("<r><a>text</a>"), kind: .malformed),
            Attack(name: "unterminated start tag", bytes: bytes("<r a=\"1\""), kind: .malformed),
            Attack(name: "unterminated attribute value", bytes: bytes("<r a=\"1/>"), kind: .malformed),
            Attack(name: "unterminated comment", bytes: bytes("<r><!-- never closed</r>"), kind: .malformed),
            Attack(name: "CDATA end inside text", bytes: bytes("<r><![CDATA[x]]>]]></r>"), kind: .malformed),
            Attack(name: "CDATA nested", bytes: bytes("<r><![CDATA[<![CDATA[x]]>]]></r>"), kind: .malformed),
            Attack(name: "CDATA unterminated", bytes: bytes("<r><![CDATA[x</r>"), kind: .malformed),
            Attack(name: "undefined entity", bytes: bytes("<r>&x;</r>"), kind: .malformed),
            Attack(name: "undeclared namespace prefix", bytes: bytes("<r><p:a/></r>"), kind: .malformed),
            Attack(name: "duplicate attribute", bytes: bytes("<r a=\"1\" a=\"2\"/>"), kind: .malformed),
            Attack(name: "duplicate attribute through namespaces", bytes: bytes(
                "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"/>"), kind: .malformed),
            Attack(name: "name longer than libxml2's limit", bytes: bytes("<" + String(repeating: "n", count: 60_000) + "/>"), kind: .malformed),
            Attack(name: "two root elements", bytes: bytes("<r/><r/>"), kind: .malformed),
            Attack(name: "text before the root", bytes: bytes("text<r/>"), kind: .malformed),
            Attack(name: "empty document", bytes: [], kind: .malformed),
            Attack(name: "only a declaration", bytes: bytes("<?xml version=\"1.0\"?>"), kind: .malformed),
            Attack(name: "< in an attribute value", bytes: bytes("<r a=\"<\"/>"), kind: .malformed),
        ]
    }

    @Test func everyAttackIsRefusedQuicklyWithoutFileOrNetworkAccess() throws {
        let listener = try LoopbackListener()
        #expect(try listener.selfTest())
        let secret = try SecretFile()
        defer { secret.remove() }
        let attacks = Self.attacks(secret: secret, port: listener.port)
        #expect(attacks.count >= 20)
        let timer = ContinuousClock()
        for attack in attacks {
            var result: Result<XMLDocument, XMLError>!
            let elapsed = timer.measure { result = parseResult(attack.bytes, limits: attack.limits) }
            guard case .failure(let error) = result else {
                Issue.record("\(attack.name): accepted")
                continue
            }
            #expect(error.kind == attack.kind, "\(attack.name): \(error)")
            #expect(elapsed < Self.quickly, "\(attack.name) took \(elapsed)")
            let text = everything(result)
            #expect(!text.contains(secret.marker), "\(attack.name)")
            #expect(!text.contains("root:x:0:0"), "\(attack.name)")
        }
        #expect(listener.takeConnections() == 0)
    }

    /// The byte scan refuses every markup declaration first; without it, the SAX callbacks alone
    /// must still stop each DOCTYPE before any entity is declared, loaded or expanded.
    @Test func theCallbacksAloneRefuseEveryDoctype() throws {
        let listener = try LoopbackListener()
        let secret = try SecretFile()
        defer { secret.remove() }
        let doctypes = Self.attacks(secret: secret, port: listener.port).filter {
            $0.kind == .doctypeForbidden && $0.name != "doctype in lower case" && !$0.name.contains("spacing")
                && !$0.name.contains("space in the declaration") && !$0.name.contains("inside the root")
                && !$0.name.contains("without DOCTYPE")
        }
        #expect(doctypes.count >= 12)
        let timer = ContinuousClock()
        for attack in doctypes {
            var result: Result<XMLDocument, XMLError>!
            let elapsed = timer.measure { result = parseResult(attack.bytes, prescanning: false) }
            guard case .failure(let error) = result else {
                Issue.record("\(attack.name): accepted")
                continue
            }
            #expect(error.kind == .doctypeForbidden, "\(attack.name): \(error)")
            #expect(elapsed < Self.quickly, "\(attack.name) took \(elapsed)")
            #expect(!everything(result).contains(secret.marker), "\(attack.name)")
        }
        // What the scan refuses as a declaration, libxml2 refuses as not well-formed.
        for text in ["<!doctype r><r/>", "<! DOCTYPE r><r/>", "<!ENTITY x \"y\"><r>&x;</r>", "<r><!DOCTYPE r></r>"] {
            guard case .failure(let error) = parseResult(bytes(text), prescanning: false) else {
                Issue.record("\(text): accepted")
                continue
            }
            #expect([.malformed, .doctypeForbidden].contains(error.kind), "\(text): \(error)")
        }
        // Depth, element and attribute limits hold in the callbacks too.
        let deep = bytes(String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40))
        #expect(parseKind(deep, prescanning: false) == .tooDeep)
        #expect(parseKind(bytes("<r>" + String(repeating: "<a/>", count: 50_000) + "</r>"), prescanning: false) == .tooManyElements)
        #expect(parseKind(bytes("<r " + (0..<33).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"), prescanning: false) == .tooManyAttributes)
        #expect(listener.takeConnections() == 0)
    }

    @Test func noReferencedFileIsEverOpened() throws {
        let control = try FileOpenProbe()
        close(open(control.path, O_RDONLY))
        #expect(control.wasOpened(), "the probe notices a reader")

        let probe = try FileOpenProbe()
        let payloads = [
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"\(probe.url)\">]><r>&x;</r>",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"\(probe.url)\"> %p;]><r/>",
            "<!DOCTYPE r SYSTEM \"\(probe.url)\"><r/>",
            "<!DOCTYPE r PUBLIC \"-//Estate//Probe//EN\" \"\(probe.path)\"><r/>",
            "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"\(probe.url)\" parse=\"text\"/></r>",
            "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"\(probe.url)\"/>",
        ]
        for payload in payloads {
            _ = parseResult(bytes(payload))
            _ = parseResult(bytes(payload), prescanning: false)
        }
        let schemaWithInclude = "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:include schemaLocation=\"\(probe.url)\"/></xs:schema>"
        #expect(throws: XMLError.self) { try XMLSchema(bytes: bytes(schemaWithInclude)) }
        #expect(!probe.wasOpened())
    }

    @Test func xincludeIsNeverProcessed() throws {
        let listener = try LoopbackListener()
        let secret = try SecretFile()
        defer { secret.remove() }
        let text = """
            <r xmlns:xi="http://www.w3.org/2001/XInclude">\
            <xi:include href="\(secret.url)" parse="text"/>\
            <xi:include href="file:///etc/passwd" parse="text"/>\
            <xi:include href="http://127.0.0.1:\(listener.port)/x.xml"/>\
            </r>
            """
        let result = parseResult(bytes(text))
        let document = try result.get()
        let includes = document.root.elements(named: "include", namespaceURI: "http://www.w3.org/2001/XInclude")
        #expect(includes.count == 3)
        #expect(includes.first?.attribute(named: "href") == secret.url)
        #expect(document.root.text.isEmpty)
        #expect(!everything(result).contains(secret.marker))
        #expect(!everything(result).contains("root:x:0:0"))
        #expect(listener.takeConnections() == 0)
    }

    @Test func costlyButWithinTheLimitsIsStillFast() throws {
        let timer = ContinuousClock()
        // 31 levels, each declaring 31 prefixes (961 in scope), then 40,000 prefixed elements
        // whose every prefix lookup walks the namespace stack.
        var text = ""
        for level in 0..<31 {
            text += "<e" + (0..<31).map { " xmlns:p\(level)_\($0)=\"urn:\(level):\($0)\"" }.joined() + ">"
        }
        text += String(repeating: "<p0_0:x p0_1:a=\"1\"/>", count: 40_000)
        text += String(repeating: "</e>", count: 31)
        var elapsed = try timer.measure { _ = try XMLDocument.parse(bytes(text)) }
        #expect(elapsed < Self.quickly, "namespaces took \(elapsed)")

        // As many attributes as allowed, with long values, on as many elements as fit.
        let element = "<a " + (0..<32).map { "a\($0)=\"\(String(repeating: "v", count: 20))\"" }.joined(separator: " ") + "/>"
        let wide = "<r>" + String(repeating: element, count: (1 << 20) / element.utf8.count - 1) + "</r>"
        elapsed = try timer.measure { _ = try XMLDocument.parse(bytes(wide)) }
        #expect(elapsed < Self.quickly, "attributes took \(elapsed)")

        // One attribute value and one text node of almost 1 MiB.
        let long = "<r a=\"" + String(repeating: "a", count: 500_000) + "\">" + String(repeating: "t", count: 500_000) + "</r>"
        let document = try XMLDocument.parse(bytes(long))
        #expect(document.root.attribute(named: "a")?.utf8.count == 500_000)
        #expect(document.root.text.utf8.count == 500_000)
    }

    private func parseKind(_ bytes: [UInt8], prescanning: Bool) -> XMLError.Kind? {
        guard case .failure(let error) = parseResult(bytes, prescanning: prescanning) else { return nil }
        return error.kind
    }
}
