import Foundation
import LibXML

/// Hostile XML documents (external entities to files and URLs, parameter entities, billion laughs,
/// quadratic blow-ups, deep nesting, bad encodings, malformed markup), each with the kind of error
/// the parser must refuse it with: the LibXML attack tests parse them directly, the HTTP attack
/// suite sends them as request bodies.
public struct XMLAttack: Sendable {
    public let name: String
    public let bytes: [UInt8]
    public let kind: XMLError.Kind
    /// The parser's limits the attack is meant for (most use the defaults).
    public var limits: XMLLimits = .default

    public init(name: String, bytes: [UInt8], kind: XMLError.Kind, limits: XMLLimits = .default) {
        self.name = name
        self.bytes = bytes
        self.kind = kind
        self.limits = limits
    }

    /// The attacks; the file ones point at `secret`, the network ones at `127.0.0.1:port`.
    public static func all(secret: SecretFile, port: UInt16) -> [XMLAttack] {
        let url = "http://127.0.0.1:\(port)"
        let laughs = (1...9).map { level in
            "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }.joined()
        let bigEntity = String(repeating: "x", count: 50_000)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<r/>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let manyAttributes = "<r " + (0..<100_000).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"
        return [
            XMLAttack(name: "external entity to a file", bytes: utf8(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"\(secret.url)\">]><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "external entity to /etc/passwd", bytes: utf8(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "external entity to a URL", bytes: utf8(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"\(url)/x\">]><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "external parameter entity", bytes: utf8(
                "<!DOCTYPE r [<!ENTITY % p SYSTEM \"\(url)/p.dtd\"> %p;]><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "parameter entity defining an entity", bytes: utf8(
                "<!DOCTYPE r [<!ENTITY % d \"<!ENTITY x SYSTEM '\(secret.url)'>\"> %d;]><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "billion laughs", bytes: utf8(
                "<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">\(laughs)]><lolz>&lol9;</lolz>"), kind: .doctypeForbidden),
            XMLAttack(name: "quadratic blow-up", bytes: utf8(
                "<!DOCTYPE r [<!ENTITY a \"\(bigEntity)\">]><r>" + String(repeating: "&a;", count: 5_000) + "</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "external DTD by SYSTEM id", bytes: utf8(
                "<!DOCTYPE r SYSTEM \"\(url)/r.dtd\"><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "external DTD by PUBLIC id to a file", bytes: utf8(
                "<!DOCTYPE r PUBLIC \"-//Estate//Probe//EN\" \"\(secret.url)\"><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE with an internal subset only", bytes: utf8(
                "<!DOCTYPE r [<!ELEMENT r ANY><!ATTLIST r a CDATA \"default\">]><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE without a subset", bytes: utf8("<!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "doctype in lower case", bytes: utf8("<!doctype r><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE in mixed case and odd spacing", bytes: utf8("<!DocType\n\tr\n[ ]  ><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE after a space in the declaration", bytes: utf8("<! DOCTYPE r><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE after a comment", bytes: utf8("<!-- hello --><!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE after a processing instruction", bytes: utf8("<?pi data?>\n<!DOCTYPE r><r/>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE after a byte order mark and declaration", bytes: [0xEF, 0xBB, 0xBF] + utf8(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "entity declaration without DOCTYPE", bytes: utf8("<!ENTITY x \"y\"><r>&x;</r>"), kind: .doctypeForbidden),
            XMLAttack(name: "DOCTYPE inside the root", bytes: utf8("<r><!DOCTYPE r></r>"), kind: .doctypeForbidden),
            XMLAttack(name: "deep nesting just past the limit", bytes: utf8(
                String(repeating: "<a>", count: 33) + String(repeating: "</a>", count: 33)), kind: .tooDeep),
            XMLAttack(name: "deep nesting, 100,000 levels", bytes: utf8(String(repeating: "<a>", count: 100_000)), kind: .tooDeep),
            XMLAttack(name: "too many elements", bytes: utf8("<r>" + String(repeating: "<a/>", count: 50_000) + "</r>"), kind: .tooManyElements),
            XMLAttack(name: "too many attributes", bytes: utf8(
                "<r " + (0..<33).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"), kind: .tooManyAttributes),
            XMLAttack(name: "quadratic attribute blow-up (100,000 in one tag)", bytes: utf8(manyAttributes), kind: .tooManyAttributes),
            XMLAttack(name: "namespace declarations count as attributes", bytes: utf8(
                "<r " + (0..<33).map { "xmlns:p\($0)=\"urn:\($0)\"" }.joined(separator: " ") + "/>"), kind: .tooManyAttributes),
            XMLAttack(name: "oversized document", bytes: utf8("<r>" + String(repeating: "x", count: 1 << 20) + "</r>"), kind: .tooLarge),
            XMLAttack(name: "oversized by one byte", bytes: utf8("<r>" + String(repeating: "x", count: 94) + "</r>"), kind: .tooLarge,
                   limits: XMLLimits(maxBytes: 100)),
            XMLAttack(name: "invalid UTF-8", bytes: utf8("<r>") + [0xC3, 0x28] + utf8("</r>"), kind: .malformed),
            XMLAttack(name: "overlong UTF-8 for <", bytes: utf8("<r>") + [0xC0, 0xBC] + utf8("</r>"), kind: .malformed),
            XMLAttack(name: "UTF-8 encoded surrogate", bytes: utf8("<r>") + [0xED, 0xA0, 0x80] + utf8("</r>"), kind: .malformed),
            XMLAttack(name: "UTF-16 declared but UTF-8 content", bytes: utf8(
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r/>"), kind: .unsupportedEncoding),
            XMLAttack(name: "ISO-8859-1 declared", bytes: utf8("<?xml version='1.0' encoding='ISO-8859-1'?><r>") + [0xE9] + utf8("</r>"),
                   kind: .unsupportedEncoding),
            XMLAttack(name: "real UTF-16 with a byte order mark", bytes: utf16, kind: .unsupportedEncoding),
            XMLAttack(name: "UTF-16 without a byte order mark", bytes: Array("<r/>".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
                   kind: .unsupportedEncoding),
            XMLAttack(name: "NUL byte in text", bytes: utf8("<r>a") + [0] + utf8("b</r>"), kind: .malformed),
            XMLAttack(name: "NUL byte after the root (libxml2 alone would stop there and accept)", bytes: utf8("<r/>") + [0] + utf8("<x/>"),
                   kind: .malformed),
            XMLAttack(name: "control character", bytes: utf8("<r>\u{1}</r>"), kind: .malformed),
            XMLAttack(name: "unterminated element", bytes: utf8("<r><a>text</a>"), kind: .malformed),
            XMLAttack(name: "unterminated start tag", bytes: utf8("<r a=\"1\""), kind: .malformed),
            XMLAttack(name: "unterminated attribute value", bytes: utf8("<r a=\"1/>"), kind: .malformed),
            XMLAttack(name: "unterminated comment", bytes: utf8("<r><!-- never closed</r>"), kind: .malformed),
            XMLAttack(name: "CDATA end inside text", bytes: utf8("<r><![CDATA[x]]>]]></r>"), kind: .malformed),
            XMLAttack(name: "CDATA nested", bytes: utf8("<r><![CDATA[<![CDATA[x]]>]]></r>"), kind: .malformed),
            XMLAttack(name: "CDATA unterminated", bytes: utf8("<r><![CDATA[x</r>"), kind: .malformed),
            XMLAttack(name: "undefined entity", bytes: utf8("<r>&x;</r>"), kind: .malformed),
            XMLAttack(name: "undeclared namespace prefix", bytes: utf8("<r><p:a/></r>"), kind: .malformed),
            XMLAttack(name: "duplicate attribute", bytes: utf8("<r a=\"1\" a=\"2\"/>"), kind: .malformed),
            XMLAttack(name: "duplicate attribute through namespaces", bytes: utf8(
                "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"/>"), kind: .malformed),
            XMLAttack(name: "name longer than libxml2's limit", bytes: utf8("<" + String(repeating: "n", count: 60_000) + "/>"), kind: .malformed),
            XMLAttack(name: "two root elements", bytes: utf8("<r/><r/>"), kind: .malformed),
            XMLAttack(name: "text before the root", bytes: utf8("text<r/>"), kind: .malformed),
            XMLAttack(name: "empty document", bytes: [], kind: .malformed),
            XMLAttack(name: "only a declaration", bytes: utf8("<?xml version=\"1.0\"?>"), kind: .malformed),
            XMLAttack(name: "< in an attribute value", bytes: utf8("<r a=\"<\"/>"), kind: .malformed),
        ]
    }

    private static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
}
