import EstateLogic
import Foundation
import LibXML

/// One record of an inbound integration document (an element whose child elements are its
/// fields), read after the document passed its XSD (``IntegrationXML/read(_:context:schema:)``).
/// Positions are 0-based, as the API names list items (`results[2].changeRequestId`).
struct IntegrationImportRecord {
    let element: LibXML.XMLElement
    let namespace: String
    let position: Int

    /// The records named `name` under `root`, in document order.
    static func records(_ root: LibXML.XMLElement, named name: String, namespace: String) -> [IntegrationImportRecord] {
        root.elements(named: name, namespaceURI: namespace).enumerated().map {
            IntegrationImportRecord(element: $0.element, namespace: namespace, position: $0.offset)
        }
    }

    /// A child record (a group of fields such as `approver`).
    func child(_ name: String) -> IntegrationImportRecord? {
        element.firstElement(named: name, namespaceURI: namespace).map { IntegrationImportRecord(element: $0, namespace: namespace, position: position) }
    }

    /// A field's text without surrounding white space; nil when the field is absent or blank.
    func text(_ name: String) -> String? {
        (element.firstElement(named: name, namespaceURI: namespace)?.text).nonBlankTrimmed
    }

    /// A field of an XSD `token` type: runs of white space collapsed to one space, as the XSD read it.
    func token(_ name: String) -> String? {
        text(name).map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    }

    /// Where a field is (its element, else the record's), for a problem naming its line and column.
    func position(of field: String) -> XMLPosition? {
        var element = element
        for part in field.split(separator: ".") {
            guard let child = element.firstElement(named: String(part), namespaceURI: namespace) else { break }
            element = child
        }
        return element.position ?? self.element.position
    }

    /// A field error at `list[position].field`, with the field's line and column.
    func fieldError(list: String, field: String, message: String) -> Problem.FieldError {
        let at = position(of: field)
        return Problem.FieldError(field: "\(list)[\(position)].\(field)", message: message, line: at?.line, column: at?.column)
    }
}

/// A field that the XSD allows but the server cannot take (a date-time beyond RFC 3339, a UUID the
/// pattern let through): the record is refused naming it.
struct IntegrationFieldViolation: Error {
    let field: String
    let message: String
}

extension IntegrationImportRecord {
    /// A required field (the XSD requires it: a missing one is refused before).
    func required(_ name: String) throws(IntegrationFieldViolation) -> String {
        guard let value = text(name) else { throw IntegrationFieldViolation(field: name, message: "is required") }
        return value
    }

    func uuid(_ name: String) throws(IntegrationFieldViolation) -> UUID {
        guard let value = UUID(uuidString: try required(name)) else { throw IntegrationFieldViolation(field: name, message: "must be a UUID") }
        return value
    }

    /// An RFC 3339 date-time with its offset (the XSDs' `Timestamp`).
    func timestamp(_ name: String) throws(IntegrationFieldViolation) -> Date {
        guard let value = RFC3339.date(from: try required(name)) else {
            throw IntegrationFieldViolation(field: name, message: "must be an RFC 3339 date-time with its offset, e.g. 2026-11-20T10:15:00+08:00")
        }
        return value
    }
}
