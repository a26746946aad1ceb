import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error response of the API is one of these.
///
/// `type` is a stable URN per kind of problem (`urn:estate:problem:<code>`), `code` the same
/// short code for clients that switch on it, `errors` the fields at fault for validation failures.
public struct Problem: Error, HTTPResponseError, Sendable, Codable, Equatable {
    public struct FieldError: Sendable, Codable, Equatable {
        /// JSON pointer-like path of the field at fault, e.g. `buyers[1].share`.
        public var field: String
        public var message: String
        /// For records of an uploaded file (a CSV import): the 1-based line where the record starts;
        /// for an XML body, the line of the element at fault.
        public var line: Int?
        /// For an XML body: the 1-based column of the element at fault (with ``line``).
        public var column: Int?
        public init(field: String, message: String, line: Int? = nil, column: Int? = nil) {
            self.field = field
            self.message = message
            self.line = line
            self.column = column
        }
    }

    public var type: String
    public var title: String
    public var statusCode: Int
    public var detail: String?
    public var instance: String?
    public var code: String
    public var requestId: String?
    public var errors: [FieldError]?
    /// For conflicts on a room's status: the status it is in now (so a screen can refresh one cell).
    public var currentStatus: String?
    /// For a refused opportunity stage change: the stage the opportunity is in now.
    public var currentStage: String?
    /// For a refused duplicate customer: the existing customers it matches, with their owners.
    var duplicates: [DuplicateMatchBody]?
    /// Extra response headers (e.g. `Retry-After`, `Allow`); not part of the body.
    public var extraHeaders: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case type, title, statusCode = "status", detail, instance, code, requestId, errors, currentStatus, currentStage, duplicates
    }

    public init(status: HTTPResponse.Status, code: String, detail: String? = nil, errors: [FieldError]? = nil,
                headers: [String: String] = [:]) {
        self.type = "urn:estate:problem:\(code)"
        self.title = status.reasonPhrase
        self.statusCode = status.code
        self.code = code
        self.detail = detail
        self.errors = errors
        self.extraHeaders = headers
    }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public static let mediaType = "application/problem+json"

    /// The problem as `application/problem+json`, or as `application/problem+xml` (RFC 9457,
    /// appendix B: `problem` in `urn:ietf:rfc:7807`, by the API's one XML mapping) for a client
    /// that prefers XML; JSON still when the problem's text cannot be written in XML 1.0.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        problem.instance = problem.instance ?? request.uri.path
        problem.requestId = problem.requestId ?? (context as? EstateRequestContext)?.requestID
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers: HTTPFields = [.contentType: Self.mediaType, .vary: "Accept"]
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let body = ByteBuffer(bytes: try encoder.encode(problem))
        if Representation(of: request) == .xml, case .success(let contract) = XMLContract.shared,
           let xml = try? XMLBodies.xml(fromJSON: body, document: contract.problem) {
            headers[.contentType] = Representation.problemXMLMediaType
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: xml)))
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// Whether a response's media type is a problem document (JSON or XML).
    static func isProblem(mediaType: String?) -> Bool {
        mediaType?.lowercased().hasPrefix("application/problem+") == true
    }
}

extension Problem {
    /// A problem for a bare HTTP status (from the framework), with the code our own problems use.
    public static func forStatus(_ status: HTTPResponse.Status, detail: String? = nil) -> Problem {
        let code = switch status.code {
        case 400: "bad-request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 406: "not-acceptable"
        case 413: "content-too-large"
        case 415: "unsupported-media-type"
        case 412: "version-mismatch"
        case 428: "precondition-required"
        case 503: "unavailable"
        case 500: "internal"
        default: "http-\(status.code)"
        }
        return Problem(status: status, code: code, detail: detail)
    }

    public static func badRequest(_ detail: String, errors: [FieldError]? = nil) -> Problem {
        Problem(status: .badRequest, code: errors == nil ? "bad-request" : "validation", detail: detail, errors: errors)
    }

    /// The same problem with these field errors (e.g. ones that carry a line).
    func with(errors: [FieldError]) -> Problem {
        var copy = self
        copy.errors = errors
        return copy
    }

    /// 400 with the fields at fault, from the domain's validation.
    public static func validation(_ violations: [FieldViolation]) -> Problem {
        .badRequest("Some fields are not valid.", errors: violations.map { FieldError(field: $0.field, message: $0.message) })
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, code: "unauthorized", detail: detail, headers: ["WWW-Authenticate": "Bearer"])
    }

    public static func forbidden(_ permission: Permission) -> Problem {
        Problem(status: .forbidden, code: "forbidden", detail: "This needs the permission \(permission.rawValue).")
    }

    public static func notFound(_ detail: String = "No such resource.") -> Problem {
        Problem(status: .notFound, code: "not-found", detail: detail)
    }

    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return Problem(status: .methodNotAllowed, code: "method-not-allowed",
                       detail: "This resource allows \(list).", headers: ["Allow": list])
    }

    public static func contentTooLarge(limit: Int) -> Problem {
        Problem(status: .contentTooLarge, code: "content-too-large",
                detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func unavailable(_ detail: String, retryAfterSeconds: Int = 1) -> Problem {
        Problem(status: .serviceUnavailable, code: "unavailable", detail: detail,
                headers: ["Retry-After": String(retryAfterSeconds)])
    }

    public static let internalError = Problem(
        status: .internalServerError, code: "internal",
        detail: "An unexpected error occurred. Quote the request id when reporting it.")
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let retryAfter = HTTPField.Name("Retry-After")!
    static let allow = HTTPField.Name("Allow")!
}
