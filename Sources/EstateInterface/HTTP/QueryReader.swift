import EstateLogic
import Foundation
import Hummingbird

/// Reads a request's query parameters, collecting every bad one as a field error (so a client
/// learns about all of them at once); `finish()` throws the 400.
struct QueryReader {
    let parameters: [String: String]
    private(set) var violations: [FieldViolation] = []

    init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        self.parameters = parameters
    }

    func text(_ name: String) -> String? { parameters[name] }

    mutating func parsed<T>(_ name: String, _ message: String, _ parse: (String) -> T?) -> T? {
        guard let raw = parameters[name] else { return nil }
        guard let value = parse(raw) else {
            violations.append(FieldViolation(field: name, message: message))
            return nil
        }
        return value
    }

    mutating func uuid(_ name: String) -> UUID? { parsed(name, "must be a UUID") { UUID(uuidString: $0) } }

    mutating func flag(_ name: String) -> Bool? {
        parsed(name, "must be true or false") { $0 == "true" ? true : $0 == "false" ? false : nil }
    }

    /// A calendar day `YYYY-MM-DD`.
    mutating func day(_ name: String) -> LocalDate? { parsed(name, "must be a date YYYY-MM-DD") { LocalDate($0) } }

    mutating func date(_ name: String) -> Date? { parsed(name, "must be an RFC 3339 date-time") { RFC3339.date(from: $0) } }

    /// A comma-separated list of `T`'s raw values (an enum's cases).
    mutating func values<T: RawRepresentable<String> & CaseIterable>(_ name: String, of type: T.Type) -> [T] {
        parsed(name, "must be a comma-separated list of \(T.allCases.map(\.rawValue).joined(separator: ", "))") { raw -> [T]? in
            let values = raw.split(separator: ",").map { T(rawValue: String($0)) }
            return !values.isEmpty && values.allSatisfy { $0 != nil } ? values.compactMap { $0 } : nil
        } ?? []
    }

    /// A comma-separated list of codes (lower-case ASCII letters, digits and `_`, 1 to 63 each), as dictionary and enum codes are.
    mutating func codes(_ name: String) -> [String] {
        parsed(name, "must be a comma-separated list of codes (a-z, 0-9, _)") { raw -> [String]? in
            let values = raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let valid = values.allSatisfy { value in
                (1...63).contains(value.count) && value.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
            }
            return valid ? values : nil
        } ?? []
    }

    mutating func fail(_ name: String, _ message: String) { violations.append(FieldViolation(field: name, message: message)) }

    func finish() throws {
        guard violations.isEmpty else {
            throw Problem.badRequest("Bad query parameter.", errors: violations.map { .init(field: $0.field, message: $0.message) })
        }
    }
}
