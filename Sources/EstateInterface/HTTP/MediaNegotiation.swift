import Foundation
import HTTPTypes
import Hummingbird

/// The two representations of every document of the API.
enum Representation: Sendable, Equatable {
    case json
    case xml

    static let xmlMediaType = "application/xml; charset=utf-8"
    static let problemXMLMediaType = "application/problem+xml; charset=utf-8"

    /// What the client prefers by its `Accept` header (RFC 9110, 12.5.1): XML when an XML type
    /// (`application/xml`, `text/xml`, or `application/problem+xml` named as such) gets a higher
    /// weight than every JSON type (`application/json`, or `application/problem+json` named as
    /// such), each weighed by the most specific range that matches it (`type/subtype`, then
    /// `type/*`, then `*/*`). JSON otherwise:
    /// on a tie (`*/*`), without `Accept`, and when neither is acceptable (`Accept: text/html`
    /// gets JSON rather than 406, so that a problem can still be read).
    init(accept: String?) {
        guard let accept, !accept.isEmpty else {
            self = .json
            return
        }
        let ranges = Self.ranges(accept)
        func weight(_ type: String) -> Double {
            let parts = type.split(separator: "/", maxSplits: 1)
            var best: (specificity: Int, weight: Double)?
            for range in ranges {
                let specificity: Int
                if range.type == "*" && range.subtype == "*" {
                    specificity = 0
                } else if range.type == parts[0] && range.subtype == "*" {
                    specificity = 1
                } else if range.type == parts[0] && range.subtype == parts[1] {
                    specificity = 2
                } else {
                    continue
                }
                if best.map({ specificity > $0.specificity }) ?? true { best = (specificity, range.weight) }
            }
            return best?.weight ?? 0
        }
        // A problem type counts only where it is named itself: `*/*` must not make
        // application/problem+json outweigh an `application/json;q=0`.
        func named(_ type: String) -> Double {
            ranges.filter { "\($0.type)/\($0.subtype)" == type }.map(\.weight).max() ?? 0
        }
        let json = max(weight("application/json"), named("application/problem+json"))
        let xml = max(weight("application/xml"), weight("text/xml"), named("application/problem+xml"))
        self = xml > json ? .xml : .json
    }

    /// The representation a request asks for.
    init(of request: Request) {
        self.init(accept: request.headers[values: .accept].joined(separator: ","))
    }

    private struct MediaRange {
        let type: Substring
        let subtype: Substring
        let weight: Double
    }

    /// The media ranges of an `Accept` value; a malformed range or weight is skipped.
    private static func ranges(_ accept: String) -> [MediaRange] {
        accept.lowercased().split(separator: ",").compactMap { element in
            let parameters = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let type = parameters[0].split(separator: "/", maxSplits: 1)
            guard type.count == 2, !type[0].isEmpty, !type[1].isEmpty, type[0] != "*" || type[1] == "*" else { return nil }
            var weight = 1.0
            for parameter in parameters.dropFirst() where parameter.hasPrefix("q=") {
                guard let value = Double(parameter.dropFirst(2)), (0...1).contains(value) else { return nil }
                weight = value
            }
            return MediaRange(type: type[0], subtype: type[1], weight: weight)
        }
    }
}

/// The format of a request body, from its `Content-Type`.
enum BodyFormat: Sendable, Equatable {
    case json
    case xml

    /// JSON without a `Content-Type` (and for `application/json` or any `+json` type); XML for
    /// `application/xml` and `text/xml` in UTF-8 (the only encoding the parser reads); 415 otherwise.
    init(contentType: String?) throws(Problem) {
        guard let contentType else {
            self = .json
            return
        }
        let parameters = contentType.lowercased().split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let type = parameters.first ?? ""
        if type == "application/json" || type.hasSuffix("+json") {
            self = .json
        } else if type == "application/xml" || type == "text/xml" {
            let charset = parameters.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst(8)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard charset == nil || charset == "utf-8" || charset == "utf8" else {
                throw Problem(status: .unsupportedMediaType, code: "unsupported-media-type",
                              detail: "XML bodies are read in UTF-8 only; send charset=utf-8 or no charset.")
            }
            self = .xml
        } else {
            throw Problem(status: .unsupportedMediaType, code: "unsupported-media-type",
                          detail: "Send the body as application/json or application/xml.")
        }
    }
}
