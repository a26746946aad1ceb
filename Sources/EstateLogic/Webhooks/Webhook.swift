import Foundation

/// How a webhook's deliveries are written.
public enum WebhookFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// `application/json`: the ``EventEnvelope``.
    case json
    /// `application/xml`: the same envelope as an `event` document (schemas/webhook-event.xsd).
    case xml
}

/// A partner's subscription: where to send which events, in which format.
public struct Webhook: Sendable, Hashable {
    public var id: UUID
    public var url: String
    public var eventTypes: [EventType]
    public var format: WebhookFormat
    public var description: String?
    public var active: Bool

    public init(id: UUID, url: String, eventTypes: [EventType], format: WebhookFormat = .json, description: String? = nil,
                active: Bool = true) {
        self.id = id
        self.url = url
        self.eventTypes = eventTypes
        self.format = format
        self.description = description
        self.active = active
    }

    public static let longestURL = 2048
    public static let longestDescription = 500

    /// Whether the webhook subscribes to events of `type`.
    public func subscribes(to type: EventType) -> Bool { active && eventTypes.contains(type) }

    /// What is wrong with a subscription, by field: the URL (see ``urlViolation(_:)``), event types
    /// (1 or more of the catalogue, each once, `eventTypes[i]` naming the one at fault) and the
    /// description (at most 500 characters, no control characters).
    public static func violations(url: String, eventTypes: [String], description: String?) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if let problem = urlViolation(url) { violations.append(FieldViolation(field: "url", message: problem)) }
        if eventTypes.isEmpty {
            violations.append(FieldViolation(field: "eventTypes", message: "must name at least one event type"))
        }
        var seen: Set<String> = []
        for (index, type) in eventTypes.enumerated() {
            if !EventCatalogue.isKnown(EventType(rawValue: type)) {
                violations.append(FieldViolation(field: "eventTypes[\(index)]",
                                                 message: "must be one of \(EventCatalogue.types.map(\.rawValue).joined(separator: ", "))"))
            } else if !seen.insert(type).inserted {
                violations.append(FieldViolation(field: "eventTypes[\(index)]", message: "is named twice"))
            }
        }
        if let description {
            if description.count > longestDescription {
                violations.append(FieldViolation(field: "description", message: "must be at most \(longestDescription) characters"))
            } else if description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                violations.append(FieldViolation(field: "description", message: "must not contain control characters"))
            }
        }
        return violations
    }

    /// Why a URL cannot receive deliveries, or nil when it can: an absolute `http` or `https` URL
    /// with a host, without user name or password (secrets do not belong in URLs; the signature
    /// authenticates Estate) and without fragment, at most 2048 characters of printable ASCII.
    public static func urlViolation(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= longestURL else { return "must be 1 to \(longestURL) characters" }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "must be printable ASCII without spaces (percent-encode the rest)"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            return "must be an absolute http or https URL"
        }
        guard let host = components.host, !host.isEmpty else { return "must name a host" }
        if components.user != nil || components.password != nil { return "must not carry a user name or password" }
        if components.fragment != nil { return "must not have a fragment (#...)" }
        if let port = components.port, !(1...65535).contains(port) { return "must have a port from 1 to 65535" }
        return nil
    }
}

/// Where a delivery of an event to a webhook stands.
public enum WebhookDeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its next attempt (the first, or a retry after a failure).
    case pending
    /// Claimed by the relay and being sent; due again when the relay's lease ends (a relay that
    /// stopped mid-delivery), so it is sent again with the same event id.
    case delivering
    /// The partner answered 2xx.
    case delivered
    /// Every attempt failed; kept until replayed.
    case dead

    /// Whether a replay may queue the delivery again: only when nothing is on its way
    /// (dead, or delivered and wanted again by the partner).
    public var isReplayable: Bool { self == .dead || self == .delivered }
}
