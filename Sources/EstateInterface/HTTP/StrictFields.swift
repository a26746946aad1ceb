import Foundation

/// Any JSON object key.
struct BodyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Refuses object members a body type does not know: a misspelt field is a 400 naming it, not
    /// silently ignored (used by bodies whose schema says `additionalProperties: false`).
    /// `also`: members a wrapping body adds (an import record's `externalId`).
    func refuseUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, also: Set<String> = []) throws {
        let known = Set(Keys.allCases.map(\.stringValue)).union(also)
        let container = try container(keyedBy: BodyKey.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [unknown], debugDescription: "is not a field of this object"))
        }
    }
}

/// A body type with optional members that must not be JSON `null` unless listed: such a member
/// set to `null` is a 400 naming it, never read as absent (`{"number": null}` is not "keep the
/// number"). Members the type does not know are left to its own decoding.
protocol NullableFields {
    /// The body's members.
    static var fieldNames: Set<String> { get }
    /// The members that may be null (a field to clear).
    static var nullableFields: Set<String> { get }
}

enum NullMembers {
    /// The top-level members of a JSON object body that are `null` and may not be.
    static func refused(in body: Data, fields: Set<String>, allowed: Set<String>) -> [String] {
        guard body.range(of: Data("null".utf8)) != nil,
              let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return [] }
        return object.filter { $0.value is NSNull && fields.contains($0.key) && !allowed.contains($0.key) }.map(\.key).sorted()
    }
}
