#if canImport(Glibc)
import Glibc
#endif
import EstateTestSupport
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
    @Test func everyAttackIsRefusedQuicklyWithoutFileOrNetworkAccess() throws {
        let listener = try LoopbackListener()
        #expect(try listener.selfTest())
        let secret = try SecretFile()
        defer { secret.remove() }
        let attacks = XMLAttack.all(secret: secret, port: listener.port)
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
        let doctypes = XMLAttack.all(secret: secret, port: listener.port).filter {
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
