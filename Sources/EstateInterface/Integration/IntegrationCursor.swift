import EstateData
import EstateLogic
import Foundation
import Hummingbird
import LibXML

/// The cursor of every integration export (``SyncPosition`` as text): `<stamp>.<key>.<part>`, the
/// writing transaction's id (1 to 18 digits), a key as 32 lower-case hex digits and a part (1 to 6
/// digits). Opaque to partners; every string of that shape is a cursor the server takes.
enum IntegrationCursor {
    /// The shape, as the spec's pattern says it.
    static let pattern = "^[0-9]{1,18}\\.[0-9a-f]{32}\\.[0-9]{1,6}$"

    static func encode(_ position: SyncPosition) -> String {
        "\(position.stamp).\(position.key.compactHex).\(position.part)"
    }

    static func decode(_ text: String) -> SyncPosition? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func digits(_ part: Substring, _ range: ClosedRange<Int>) -> Bool {
            range.contains(part.utf8.count) && part.utf8.allSatisfy { (0x30...0x39).contains($0) }
        }
        guard parts.count == 3, digits(parts[0], 1...18), digits(parts[2], 1...6), !parts[1].contains(where: \.isUppercase),
              let stamp = Int64(parts[0]), let key = UUID(compactHex: parts[1]), let part = Int32(parts[2]) else { return nil }
        return SyncPosition(stamp: stamp, key: key, part: part)
    }
}

/// The incremental-sync parameters every export takes: `updated_since` (RFC 3339: rows changed at
/// or after it), `cursor` (the `nextCursor` of an earlier page: rows after it) and `limit` (1 to
/// 500, 50 when absent). Bad values are collected into the request's ``QueryReader``.
struct ExportRequest {
    let since: Date?
    let after: SyncPosition?
    let limit: Int

    init(_ request: Request, _ reader: inout QueryReader) throws {
        limit = try PageRequest.limit(request)
        since = reader.date("updated_since")
        after = reader.parsed("cursor", "is not a cursor this API gave out") { IntegrationCursor.decode($0) }
    }

    /// The root element's paging attributes: `more` (whether rows follow now), and `nextCursor`,
    /// the position of the last row sent (or the cursor asked with, when no row is sent), from
    /// which a client resumes later without missing a row.
    func paging<Row: Sendable>(_ page: SyncPage<Row>) -> [XMLAttribute] {
        var attributes = [XMLAttribute("more", value: page.more ? "true" : "false")]
        if let next = page.rows.last?.position ?? after { attributes.append(XMLAttribute("nextCursor", value: IntegrationCursor.encode(next))) }
        return attributes
    }
}

/// Building the integration documents' elements, all in one namespace.
struct XMLBuilder {
    let namespace: String

    /// An element with the given attributes (nil values left out) and children (nil ones left out).
    func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], _ children: [XMLElement?] = []) -> XMLElement {
        XMLElement(name, namespaceURI: namespace,
                   attributes: attributes.compactMap { key, value in value.map { XMLAttribute(key, value: $0) } },
                   children: children.compactMap { $0.map(XMLContent.element) })
    }

    /// An element holding `text`; nil (left out) when `text` is nil.
    func text(_ name: String, _ text: String?, _ attributes: KeyValuePairs<String, String?> = [:]) -> XMLElement? {
        text.map { XMLElement(name, namespaceURI: namespace,
                              attributes: attributes.compactMap { key, value in value.map { XMLAttribute(key, value: $0) } }, text: $0) }
    }

    /// `<name id code name/>` of a project or building.
    func unit(_ name: String, _ unit: IntegrationUnit) -> XMLElement {
        element(name, ["id": unit.id.lowercasedString, "code": unit.code, "name": unit.name])
    }

    /// The document's root: its paging attributes, when it was made, and its rows.
    func root<Row: Sendable>(_ name: String, _ attributes: [XMLAttribute], request: ExportRequest, page: SyncPage<Row>, now: Date,
                             rows: [XMLElement]) -> XMLElement {
        XMLElement(name, namespaceURI: namespace,
                   attributes: [XMLAttribute("generatedAt", value: EventTime.text(now))] + attributes + request.paging(page),
                   children: rows.map(XMLContent.element))
    }
}

extension UUID {
    /// The canonical lower-case form, as the integration documents write ids.
    var lowercasedString: String { uuidString.lowercased() }
}
