import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import Testing

/// The XML attack suite through the router: every hostile body sent to an API write that reads XML
/// is a 400 problem (413 beyond the body limit), fast, and leaves no trace: no file opened, no
/// connection made, no secret in the answer, nothing written.
@Suite("XML attacks through HTTP")
struct XMLAttackHTTPTests {
    /// A safety net against a hang or a blow-up (an attack that got through takes minutes or
    /// gigabytes), generous for a busy test machine; speed itself is not asserted.
    static let quickly: Duration = .seconds(10)
    static let ns = XMLSchemas.namespace
    static let xsi = XMLSchemas.schemaInstance
    /// The API's body limit (`HTTPConfiguration.maxBodyBytes`, 1 MiB by default).
    static let bodyLimit = 1 << 20

    /// Attacks dressed as the document the route reads (`CreateBuilding`), beside the parser's suite.
    static func documentAttacks(secret: SecretFile, probe: FileOpenProbe, port: UInt16) -> [(name: String, body: String)] {
        let url = "http://127.0.0.1:\(port)"
        let xi = "http://www.w3.org/2001/XInclude"
        return [
            ("external entity in a valid document", """
                <?xml version="1.0"?><!DOCTYPE CreateBuilding [<!ENTITY s SYSTEM "\(secret.url)">]>\
                <CreateBuilding xmlns="\(ns)"><code>x1</code><name>&s;</name></CreateBuilding>
                """),
            ("XInclude of a file in a field", """
                <CreateBuilding xmlns="\(ns)" xmlns:xi="\(xi)"><code>x2</code><name><xi:include href="\(secret.url)" parse="text"/></name></CreateBuilding>
                """),
            ("XInclude of a URL as a field", """
                <CreateBuilding xmlns="\(ns)" xmlns:xi="\(xi)"><code>x3</code><xi:include href="\(url)/name.xml"/></CreateBuilding>
                """),
            ("XInclude of the probe with a fallback", """
                <CreateBuilding xmlns="\(ns)" xmlns:xi="\(xi)"><code>x4</code><name>Tower</name>\
                <xi:include href="\(probe.url)" parse="text"><xi:fallback/></xi:include></CreateBuilding>
                """),
            ("schemaLocation pointing at a file", """
                <CreateBuilding xmlns="\(ns)" xmlns:xsi="\(xsi)" xsi:schemaLocation="\(ns) \(probe.url)"><code>x5</code><name>Tower</name></CreateBuilding>
                """),
            ("schemaLocation pointing at a URL", """
                <CreateBuilding xmlns="\(ns)" xmlns:xsi="\(xsi)" xsi:schemaLocation="\(ns) \(url)/evil.xsd"><code>x6</code><name>Tower</name></CreateBuilding>
                """),
            ("noNamespaceSchemaLocation", """
                <CreateBuilding xmlns="\(ns)" xmlns:xsi="\(xsi)" xsi:noNamespaceSchemaLocation="\(url)/evil.xsd"><code>x7</code><name>Tower</name></CreateBuilding>
                """),
            ("schemaLocation on an inner element", """
                <CreateBuilding xmlns="\(ns)" xmlns:xsi="\(xsi)"><code>x8</code><name xsi:schemaLocation="\(ns) \(probe.url)">Tower</name></CreateBuilding>
                """),
            ("a namespace that is not the API's", """
                <CreateBuilding xmlns="urn:evil"><code>x9</code><name>Tower</name></CreateBuilding>
                """),
        ]
    }

    struct Answer {
        let status: HTTPResponse.Status
        let contentType: String
        let text: String
        let elapsed: Duration
    }

    @Test("every hostile body is a 400 problem, quickly, with no file read, no connection and nothing written")
    func hostileBodies() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let listener = try LoopbackListener()
        #expect(try listener.selfTest())
        let secret = try SecretFile()
        defer { secret.remove() }
        let probe = try FileOpenProbe()
        let attacks = XMLAttack.all(secret: secret, port: listener.port).map { (name: $0.name, bytes: $0.bytes) }
            + Self.documentAttacks(secret: secret, probe: probe, port: listener.port).map { (name: $0.name, bytes: Array($0.body.utf8)) }
        #expect(attacks.count >= 20)
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let path = "/v1/projects/\(riverside)/buildings"
            let timer = ContinuousClock()
            func post(_ body: [UInt8], accept: String) async throws -> Answer {
                let start = timer.now
                return try await client.execute(uri: path, method: .post, headers: [
                    .authorization: "Bearer \(controller)", .contentType: "application/xml", .accept: accept,
                ], body: ByteBuffer(bytes: body)) { response in
                    Answer(status: response.status, contentType: response.headers[.contentType] ?? "", text: String(buffer: response.body),
                           elapsed: timer.now - start)
                }
            }
            for (index, attack) in attacks.enumerated() {
                // XML clients get problem+xml, JSON clients problem+json: the refusal is the same.
                let xml = index.isMultiple(of: 2)
                let answer = try await post(attack.bytes, accept: xml ? "application/xml" : "application/json")
                // A body beyond the API's limit (1 MiB) is refused before parsing: 413.
                let oversized = attack.bytes.count > Self.bodyLimit
                #expect(answer.status == (oversized ? .contentTooLarge : .badRequest), "\(attack.name): \(answer.status) \(answer.text.prefix(300))")
                #expect(answer.contentType.hasPrefix(xml ? "application/problem+xml" : "application/problem+json"), "\(attack.name)")
                #expect(oversized ? answer.text.contains("content-too-large") : answer.text.contains("bad-request") || answer.text.contains("validation"),
                        "\(attack.name): \(answer.text.prefix(300))")
                #expect(answer.elapsed < Self.quickly, "\(attack.name) took \(answer.elapsed)")
                #expect(!answer.text.contains(secret.marker) && !answer.text.contains("root:x:0:0"), "\(attack.name)")
                if xml {
                    // The problem itself is well-formed XML.
                    #expect(throws: Never.self, "\(attack.name)") { try XMLDocument.parse(Array(answer.text.utf8)) }
                }
            }
            // Far beyond the body limit: 413, before any parsing.
            let huge = Array("<CreateBuilding xmlns=\"\(Self.ns)\"><code>big</code><name>".utf8) + Array(repeating: UInt8(ascii: "x"), count: 3 << 20)
                + Array("</name></CreateBuilding>".utf8)
            let tooLarge = try await post(huge, accept: "application/xml")
            #expect(tooLarge.status == .contentTooLarge && tooLarge.contentType.hasPrefix("application/problem+xml"), "\(tooLarge.text.prefix(300))")
            #expect(tooLarge.text.contains("content-too-large"))
            // Nothing was written, nothing read, nobody called.
            #expect(try await call(client, .get, path, controller).items.isEmpty)
        }
        #expect(listener.takeConnections() == 0)
        #expect(!probe.wasOpened())
    }
}
