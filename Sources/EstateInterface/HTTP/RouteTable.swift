import HTTPTypes
import Hummingbird

/// Who may call a route. Every route declares one; a test fails for a route without.
public enum RouteAccess: Sendable, Hashable {
    /// Open to anyone (health checks, metrics, login).
    case anonymous
    /// Needs an authenticated caller holding this permission.
    case permission(String)
}

/// A route as the API documents it: method, OpenAPI-style path template and access.
public struct RouteDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    /// The path template with `{name}` parameters, as in `openapi/openapi.yaml`.
    public let path: String
    public let access: RouteAccess

    public var description: String { "\(method.rawValue) \(path)" }

    /// Whether a concrete request path matches this template.
    func matches(path requestPath: Substring) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { $0.first == "{" || $0 == $1 }
    }
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

    public init() {}

    public var descriptors: [RouteDescriptor] { entries.map(\.descriptor) }

    /// Adds a route; the handler's result is encoded with the context's response encoder.
    public mutating func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, access: RouteAccess,
        _ handler: @escaping @Sendable (Request, EstateRequestContext) async throws -> Output
    ) {
        precondition(!entries.contains { $0.descriptor.method == method && $0.descriptor.path == path },
                     "route \(method) \(path) registered twice")
        entries.append(Entry(descriptor: RouteDescriptor(method: method, path: path, access: access)) { request, context in
            try await handler(request, context).response(from: request, context: context)
        })
    }

    /// The methods registered for a concrete path (for 405 answers).
    public func allowedMethods(forPath path: Substring) -> [HTTPRequest.Method] {
        entries.filter { $0.descriptor.matches(path: path) }.map(\.descriptor.method)
    }

    func register(on router: Router<EstateRequestContext>) {
        for entry in entries {
            router.on(RouterPath(entry.descriptor.path), method: entry.descriptor.method) { request, context in
                try await entry.handler(request, context)
            }
        }
    }
}
