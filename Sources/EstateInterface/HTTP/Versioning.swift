import HTTPTypes
import Hummingbird

/// Optimistic concurrency: reads carry `ETag: "<version>"`, updates must send it back in `If-Match`.
enum Versioning {
    static func etag(_ version: Int) -> String { "\"\(version)\"" }

    /// The version named by `If-Match`; 428 when absent, 400 when it is not one of our ETags.
    static func requiredVersion(_ request: Request) throws -> Int {
        guard let header = request.headers[.ifMatch] else {
            throw Problem(status: .preconditionRequired, code: "precondition-required",
                          detail: "Send If-Match with the ETag of the version you read.")
        }
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        guard text.count >= 3, text.first == "\"", text.last == "\"", let version = Int(text.dropFirst().dropLast()) else {
            throw Problem.badRequest("Bad If-Match header.", errors: [.init(field: "If-Match", message: "must be an ETag this API gave out, e.g. \"3\"")])
        }
        return version
    }

    /// A JSON body with its status and ETag.
    static func response(_ body: some ResponseEncodable, status: HTTPResponse.Status = .ok, version: Int,
                         request: Request, context: EstateRequestContext) throws -> Response {
        var response = try body.response(from: request, context: context)
        response.status = status
        response.headers[.eTag] = etag(version)
        return response
    }
}
