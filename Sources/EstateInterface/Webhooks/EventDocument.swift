import EstateData
import EstateLogic
import Foundation
import LibXML

/// A stored event as partners receive it: the ``EventEnvelope`` as JSON, or the same as an XML
/// `event` document (schemas/webhook-event.xsd). The same event always gives the same bytes.
enum EventDocument {
    static let xmlNamespace = "urn:estate:webhook-event:1"

    static func envelope(_ event: StoredEvent) throws -> EventEnvelope<JSONValue> {
        let data = try JSONDecoder().decode(JSONValue.self, from: Data(event.payload.utf8))
        return EventEnvelope(id: event.id, type: event.type, groupID: event.groupID, occurredAt: event.occurredAt,
                             objectType: event.objectType, objectID: event.objectID, sequence: event.sequence, data: data)
    }

    /// The body of a delivery in `format`, with its media type.
    static func body(_ event: StoredEvent, format: WebhookFormat) throws -> (bytes: [UInt8], contentType: String) {
        switch format {
        case .json: ([UInt8](try envelope(event).jsonBytes()), "application/json")
        case .xml: (try xml(event), "application/xml")
        }
    }

    /// `<event xmlns="urn:estate:webhook-event:1" id type groupId occurredAt><object type id sequence/><data>…</data></event>`:
    /// the payload's members become elements in key order, arrays `item` elements, null an empty
    /// element with `null="true"`.
    static func xml(_ event: StoredEvent) throws -> [UInt8] {
        let envelope = try envelope(event)
        let ns = xmlNamespace
        let root = XMLElement("event", namespaceURI: ns, attributes: [
            XMLAttribute("id", value: envelope.id.uuidString),
            XMLAttribute("type", value: envelope.type.rawValue),
            XMLAttribute("groupId", value: envelope.groupId.uuidString),
            XMLAttribute("occurredAt", value: EventTime.text(envelope.occurredAt)),
        ], children: [
            .element(XMLElement("object", namespaceURI: ns, attributes: [
                XMLAttribute("type", value: envelope.object.type),
                XMLAttribute("id", value: envelope.object.id.uuidString),
                XMLAttribute("sequence", value: String(envelope.object.sequence)),
            ])),
            .element(element("data", envelope.data)),
        ])
        return try root.serializedDocument()
    }

    private static func element(_ name: String, _ value: JSONValue) -> XMLElement {
        let ns = xmlNamespace
        switch value {
        case .null: return XMLElement(name, namespaceURI: ns, attributes: [XMLAttribute("null", value: "true")])
        case .bool(let flag): return XMLElement(name, namespaceURI: ns, text: flag ? "true" : "false")
        case .number(let number): return XMLElement(name, namespaceURI: ns, text: "\(number)")
        case .string(let text): return XMLElement(name, namespaceURI: ns, text: text)
        case .array(let items): return XMLElement(name, namespaceURI: ns, children: items.map { .element(element("item", $0)) })
        case .object(let members):
            return XMLElement(name, namespaceURI: ns, children: members.keys.sorted().map { .element(element($0, members[$0] ?? .null)) })
        }
    }
}
