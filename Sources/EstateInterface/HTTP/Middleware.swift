import Foundation
import HTTPTypes
import Hummingbird
import Logging
import EstateData
import EstateLogic

/// Takes `X-Request-ID` from the request (if well-formed) or makes one, and puts it on the
/// logger, the context and the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = EstateRequestContext

    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.xRequestID].flatMap { Self.isAcceptable($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        var context = context
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }
}

/// Turns every failure into an RFC 9457 problem: thrown errors, the router's own 404s, 405 for a
/// known path with another method, 413 for a declared body over the limit, 503 when the database
/// is unavailable, 500 (logged, without internals) for anything unexpected.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = EstateRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let limit = routes.bodyLimit(method: request.method, path: Substring(request.uri.path)) {
            context.maxBodyBytes = max(limit, context.maxBodyBytes)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxBodyBytes {
            return try Problem.contentTooLarge(limit: context.maxBodyBytes).response(from: request, context: context)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound
                    && !routes.allowedMethods(forPath: Substring(request.uri.path)).contains(request.method) {
            // Hummingbird's router throws (not returns) its 404 when no route has this method and path.
            return try unrouted(request, context: context)
        } catch {
            return try Self.problem(for: error, context: context).response(from: request, context: context)
        }
        guard response.status.code >= 400,
              !Problem.isProblem(mediaType: response.headers[.contentType]) else { return response }
        // An error response made by a framework part rather than by us: same shape as ours.
        var problem = Problem.forStatus(response.status)
        problem.extraHeaders = Dictionary(response.headers.filter { $0.name != .contentType && $0.name != .contentLength }
            .map { ($0.name.rawName, $0.value) }, uniquingKeysWith: { $1 })
        return try problem.response(from: request, context: context)
    }

    /// 405 with `Allow` when the path has routes for other methods, else 404.
    func unrouted(_ request: Request, context: Context) throws -> Response {
        let allowed = routes.allowedMethods(forPath: Substring(request.uri.path))
        if !allowed.isEmpty && !allowed.contains(request.method) {
            return try Problem.methodNotAllowed(allowed: allowed).response(from: request, context: context)
        }
        return try Problem.notFound("No resource at \(request.uri.path).").response(from: request, context: context)
    }

    /// The one mapping of thrown errors to problems (also what a per-record outcome of an
    /// integration document reports).
    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return .forStatus(error.status, detail: error.body)
        case let error as DataError:
            return error.problem(logger: context.logger)
        case let error as OrganisationError:
            return error.problem
        case let error as IdentityError:
            return error.problem
        case let error as DictionaryError:
            return error.problem
        case let error as RoleError:
            return error.problem
        case let error as VersionConflict:
            return error.problem
        case let error as InventoryError:
            return error.problem
        case let error as QuoteError:
            return error.problem
        case let error as DealInputError:
            return error.problem
        case let error as DealStepError:
            return error.problem
        case let error as ChangeRequestError:
            return error.problem
        case let error as ChangeRequestDataError:
            return error.problem
        case let error as DealDataError:
            return error.problem
        case let error as DealStepDataError:
            return error.problem
        case let error as DiscountError:
            return error.problem
        case let error as OpportunityError:
            return error.problem
        case let error as TaskError:
            return error.problem
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }
}

/// Counts and times every request per route and status, and writes one access-log line.
struct ObservationMiddleware: RouterMiddleware {
    typealias Context = EstateRequestContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "route": .string(route), "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", ms)),
        ])
        return response
    }
}
