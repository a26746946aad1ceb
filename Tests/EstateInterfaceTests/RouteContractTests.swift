import EstateInterface
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import EstateLogic
import Testing

/// The route table against `openapi/openapi.yaml`, and every route's declared access.
@Suite("Route contract")
struct RouteContractTests {
    @Test("every registered route is in openapi.yaml and every documented operation is routed")
    func specParity() async throws {
        let spec = try OpenAPISpec.load()
        let registered = try await Harness.withRouteTable { routes in
            Set(routes.descriptors.map { "\($0.method.rawValue) \($0.path)" })
        }
        let documented = Set(spec.operations)
        let missingFromSpec = registered.subtracting(documented).sorted()
        let withoutRoute = documented.subtracting(registered).sorted()
        #expect(missingFromSpec.isEmpty, "routes missing from openapi/openapi.yaml: \(missingFromSpec.joined(separator: ", "))")
        #expect(withoutRoute.isEmpty, "operations in openapi/openapi.yaml with no route: \(withoutRoute.joined(separator: ", "))")
        #expect(!registered.isEmpty)
    }

    @Test("every documented operation has a unique operationId and tags")
    func operationsAreNamed() throws {
        let spec = try OpenAPISpec.load()
        var seen: Set<String> = []
        for entry in spec.operations {
            let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
            let operation = try #require(spec.operation(parts[0], parts[1]))
            let id = operation["operationId"] as? String ?? ""
            #expect(!id.isEmpty, "\(entry) has no operationId")
            #expect(seen.insert(id).inserted, "operationId \(id) is used twice")
            #expect(!(operation["tags"] as? [String] ?? []).isEmpty, "\(entry) has no tags")
        }
    }

    /// Routes open to anyone; a new anonymous route must be added here on purpose.
    static let anonymousRoutes: Set<String> = ["GET /health/live", "GET /health/ready", "GET /metrics", "POST /v1/auth/login"]
    /// Routes for any signed-in caller whatever their permissions (their own session).
    static let callerOnlyRoutes: Set<String> = ["GET /v1/me", "POST /v1/auth/logout"]

    @Test("every route declares its access; permissions come from the catalogue; open routes are the known ones")
    func access() async throws {
        let descriptors = try await Harness.withRouteTable { $0.descriptors }
        #expect(!descriptors.isEmpty)
        for route in descriptors {
            switch route.access {
            case .anonymous:
                #expect(Self.anonymousRoutes.contains(route.description),
                        "\(route) is anonymous but not in the list of routes open to anyone")
            case .authenticated:
                #expect(Self.callerOnlyRoutes.contains(route.description),
                        "\(route) declares no permission; only the caller's own session routes may")
            case .permission, .anyOf:
                #expect(!route.access.permissions.isEmpty, "\(route) names no permission")
                for permission in route.access.permissions {
                    #expect(PermissionCatalogue.isKnown(permission), "\(route) needs \(permission), which is not in the catalogue")
                }
            }
        }
    }
}
