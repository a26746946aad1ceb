import EstateData
import EstateLogic
import Foundation
import Hummingbird
import Logging

/// The request context of every Estate route: request id, body limit and the API's own coders.
public struct EstateRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id (from `X-Request-ID` or generated), also on every log line and response.
    public var requestID: String = ""
    /// Largest request body the API decodes.
    public var maxBodyBytes: Int = 1 << 20
    /// The signed-in caller, set by the route's access check (nil on anonymous routes).
    public var caller: Caller?

    /// The client's IP address as the socket sees it ("unknown" when there is none, e.g. in tests).
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { maxBodyBytes }
    public var requestDecoder: EstateRequestDecoder { EstateRequestDecoder() }
    public var responseEncoder: EstateResponseEncoder { EstateResponseEncoder() }
}

extension EstateRequestContext {
    /// The caller of a route whose access is not anonymous.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized("Sign in first.") }
        return caller
    }

    /// Appends what this request changed to the group's audit trail, in the unit of work's
    /// transaction, naming the caller and the request id.
    public func recordChange(_ work: UnitOfWork, action: String, objectType: String, objectID: UUID, orgUnitID: UUID?,
                             changes: [AuditChange], groupID: UUID) async throws {
        try await work.audit.append(
            AuditEvent(actor: try requireCaller().actor, action: action, objectType: objectType, objectID: objectID,
                       orgUnitID: orgUnitID, changes: changes, requestID: requestID),
            groupID: groupID)
    }

    /// The one object-level check: an object in another group or outside the caller's reach is
    /// 404 (ids cannot be probed), a visible one without the permission 403.
    public func authorize(_ permission: Permission, groupID: UUID, unitPath: [UUID]) throws {
        switch try requireCaller().scope.decide(permission, groupID: groupID, unitPath: unitPath) {
        case .allowed: return
        case .forbidden: throw Problem.forbidden(permission)
        case .notFound: throw Problem.notFound()
        }
    }
}

/// Decodes request bodies: JSON, or XML (`Content-Type: application/xml` or `text/xml`) validated
/// against the XSD of the operation's request document and then read as the JSON it maps to
/// (``XMLBodies``), so that both go through the same decoding, null refusal and validation.
/// Malformed or wrong bodies become 400 problems naming the position or field.
public struct EstateRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let format = try BodyFormat(contentType: request.headers[.contentType])
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.contentTooLarge(limit: context.maxUploadSize)
        }
        let data = switch format {
        case .json:
            Data(buffer: buffer)
        case .xml:
            try XMLBodies.json(fromXML: buffer, operation: XMLContract.operation(request.method.rawValue, context.endpointPath),
                               limit: context.maxUploadSize, logger: context.logger)
        }
        if let strict = T.self as? any NullableFields.Type,
           case let refused = NullMembers.refused(in: data, fields: strict.fieldNames, allowed: strict.nullableFields), !refused.isEmpty {
            throw Problem.validation(refused.map { FieldViolation(field: $0, message: "must not be null (leave it out instead)") })
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Problem.decoding(error, body: data)
        }
    }
}

/// Encodes responses as JSON with stable key order and ISO 8601 dates, or, for a client that
/// prefers XML (``Representation``), as the XML document that JSON maps to (``XMLMapping``).
public struct EstateResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return try Self.response(json: ByteBuffer(bytes: data), from: request, context: context)
    }

    /// A JSON document that is already encoded (the building grid's fast path) in the representation
    /// the client asked for, with `Vary: Accept`.
    static func response(json body: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
                         from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.vary] = "Accept"
        if Representation(of: request) == .xml,
           let xml = try XMLBodies.xml(fromJSON: body, operation: XMLContract.operation(request.method.rawValue, context.endpointPath),
                                       logger: context.logger) {
            headers[.contentType] = Representation.xmlMediaType
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: xml)))
        }
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension Problem {
    /// A 400 problem for a body that is not valid JSON or does not match the expected shape.
    static func decoding(_ error: DecodingError, body: Data) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let underlying = context.underlyingError.map { "\($0)" } ?? JSONPosition.syntaxError(in: body)
                ?? context.debugDescription
            return .badRequest("The body is not valid JSON: \(JSONPosition.describe(underlying, in: body)).")
        case .dataCorrupted(let context):
            return .badRequest("The body has an invalid value.",
                               errors: [FieldError(field: path(context.codingPath), message: context.debugDescription)])
        case .keyNotFound(let key, let context):
            return .badRequest("A required field is missing.",
                               errors: [FieldError(field: path(context.codingPath + [key]), message: "is required")])
        case .typeMismatch(let type, let context):
            return .badRequest("A field has the wrong type.",
                               errors: [FieldError(field: path(context.codingPath), message: "must be \(JSONPosition.typeName(type))")])
        case .valueNotFound(let type, let context):
            return .badRequest("A field is null.",
                               errors: [FieldError(field: path(context.codingPath), message: "must be \(JSONPosition.typeName(type)), not null")])
        @unknown default:
            return .badRequest("The body could not be decoded.")
        }
    }
}

/// Finds where a JSON syntax error is, for error messages.
enum JSONPosition {
    /// Foundation's message carries "line L, column C" or a byte offset; fall back to scanning.
    static func describe(_ message: String, in body: Data) -> String {
        if body.isEmpty { return "the body is empty" }
        if let range = message.range(of: #"line \d+, column \d+"#, options: .regularExpression) {
            return "error at \(message[range])"
        }
        if let range = message.range(of: #"(character|offset) \d+"#, options: .regularExpression),
           let offset = Int(message[range].split(separator: " ").last ?? "") {
            return "error at \(lineColumn(offset: offset, in: body))"
        }
        return "error at \(lineColumn(offset: body.count, in: body)) (\(message))"
    }

    /// JSONDecoder on Linux reports a syntax error without its position; JSONSerialization's
    /// message has it ("… around character 28.").
    static func syntaxError(in body: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        }
    }

    static func lineColumn(offset: Int, in body: Data) -> String {
        var line = 1
        var column = 1
        for byte in body.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return "line \(line), column \(column)"
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        default: "\(type)"
        }
    }
}
