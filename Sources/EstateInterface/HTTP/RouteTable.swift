import EstateData
import EstateLogic
import HTTPTypes
import Hummingbird

/// Who may call a route. Every route declares one; a test fails for a route without.
public enum RouteAccess: Sendable, Hashable {
    /// Open to anyone (health checks, metrics, login).
    case anonymous
    /// Needs a signed-in caller, whatever their permissions (their own profile, logout).
    case authenticated
    /// Needs a signed-in caller holding this permission somewhere in their scope; the handler
    /// then checks the object's own place with ``EstateRequestContext/authorize(_:groupID:unitPath:)``.
    case permission(Permission)
    /// Needs a signed-in caller holding at least one of these permissions somewhere (a route whose
    /// handler decides which one the object needs, e.g. `deals.write` or `deals.cancel` by the kind
    /// of change requested).
    case anyOf([Permission])

    /// The permissions the route names (none for anonymous and caller-only routes).
    public var permissions: [Permission] {
        switch self {
        case .anonymous, .authenticated: []
        case .permission(let permission): [permission]
        case .anyOf(let permissions): permissions
        }
    }
}

/// A route as the API documents it: method, OpenAPI-style path template and access.
public struct RouteDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    /// The path template with `{name}` parameters, as in `openapi/openapi.yaml`.
    public let path: String
    public let access: RouteAccess
    /// A body limit of its own (imports), instead of the API's `maxBodyBytes`.
    public let maxBodyBytes: Int?

    public var description: String { "\(method.rawValue) \(path)" }

    /// Whether a concrete request path matches this template.
    func matches(path requestPath: Substring) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { $0.first == "{" || $0 == $1 }
    }

    /// How many segments of the template are literal: where templates overlap (`/v1/customers/{id}`
    /// and `/v1/customers/duplicate-check`), the router takes the literal one.
    var literalSegments: Int { path.split(separator: "/").filter { $0.first != "{" }.count }
}

/// The API's routes, collected before the router is built, so that middleware and tests
/// can see all of them (405 answers, the spec parity test, permission checks).
public struct RouteTable: Sendable {
    public typealias Handler = @Sendable (Request, EstateRequestContext) async throws -> Response

    struct Entry: Sendable {
        let descriptor: RouteDescriptor
        let handler: Handler
    }

    private(set) var entries: [Entry] = []
    /// The few routes with a body limit of their own (checked on every request, so kept apart).
    private var larger: [RouteDescriptor] = []

    public init() {}

    public var descriptors: [RouteDescriptor] { entries.map(\.descriptor) }

    /// Adds a route; the handler's result is encoded with the context's response encoder.
    public mutating func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, access: RouteAccess, maxBodyBytes: Int? = nil,
        _ handler: @escaping @Sendable (Request, EstateRequestContext) async throws -> Output
    ) {
        precondition(!entries.contains { $0.descriptor.method == method && $0.descriptor.path == path },
                     "route \(method) \(path) registered twice")
        let descriptor = RouteDescriptor(method: method, path: path, access: access, maxBodyBytes: maxBodyBytes)
        if maxBodyBytes != nil { larger.append(descriptor) }
        entries.append(Entry(descriptor: descriptor) { request, context in
            try await handler(request, context).response(from: request, context: context)
        })
    }

    /// The body limit of the route a request goes to, when it has one of its own.
    public func bodyLimit(method: HTTPRequest.Method, path: Substring) -> Int? {
        larger.first { $0.method == method && $0.matches(path: path) }?.maxBodyBytes
    }

    /// The methods registered for a concrete path (for 405 answers).
    public func allowedMethods(forPath path: Substring) -> [HTTPRequest.Method] {
        let matching = entries.filter { $0.descriptor.matches(path: path) }
        let mostLiteral = matching.map(\.descriptor.literalSegments).max()
        return matching.filter { $0.descriptor.literalSegments == mostLiteral }.map(\.descriptor.method)
    }

    /// Adds every route to the router behind the one access check all routes share: a route
    /// cannot skip authentication or its declared permission.
    func register(on router: Router<EstateRequestContext>, authenticate: @escaping Authenticator) {
        for entry in entries {
            let access = entry.descriptor.access
            router.on(RouterPath(entry.descriptor.path), method: entry.descriptor.method) { request, context in
                var context = context
                if access != .anonymous {
                    context.caller = try await Self.caller(of: request, authenticate: authenticate)
                }
                let needed = access.permissions
                if !needed.isEmpty, !needed.contains(where: { context.caller?.scope.holdsAnywhere($0) == true }) {
                    throw needed.count == 1 ? Problem.forbidden(needed[0])
                        : Problem(status: .forbidden, code: "forbidden",
                                  detail: "This needs one of the permissions \(needed.map(\.rawValue).joined(separator: ", ")).")
                }
                return try await entry.handler(request, context)
            }
        }
    }

    /// Resolves a bearer token to its caller.
    public typealias Authenticator = @Sendable (String) async throws -> Caller?

    static func caller(of request: Request, authenticate: Authenticator) async throws -> Caller {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("Send an Authorization: Bearer token (POST /v1/auth/login).")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("The Authorization header must be `Bearer <token>`.")
        }
        guard let caller = try await authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw Problem.unauthorized("The token is unknown, expired or revoked; sign in again.")
        }
        return caller
    }
}
