import EstateData
import EstateInterface
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Which database an API under test talks to.
enum TestDatabaseKind {
    /// A database of its own with every migration applied.
    case migrated
    /// A database of its own without any migration.
    case empty
    /// A server that does not exist (a socket folder that is not there).
    case unreachable
}

enum Harness {
    static let unreachableURL = "postgresql:///estate?host=/nonexistent-socket-dir&user=postgres&connect_timeout=2"

    static func databaseURL(_ kind: TestDatabaseKind) async throws -> String {
        switch kind {
        case .migrated: try await TestDatabase.migrated()
        case .empty: try await TestDatabase.empty()
        case .unreachable: unreachableURL
        }
    }

    /// Runs `test` against the API's real router and middleware (no network), on a real database.
    /// `extraRoutes` adds test-only routes to the API's route table before the router is built.
    static func withAPI<Value>(
        database kind: TestDatabaseKind = .migrated,
        configuration: HTTPConfiguration = HTTPConfiguration(),
        extraRoutes: (inout RouteTable) -> Void = { _ in },
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let database = try TestDatabase.database(url: try await databaseURL(kind))
        let api = EstateAPI(database: database, configuration: configuration)
        var routes = api.routes
        extraRoutes(&routes)
        let app = Application(router: api.makeRouter(routes: routes))
        do {
            let value = try await app.test(.router, test)
            await database.close()
            return value
        } catch {
            await database.close()
            throw error
        }
    }

    /// An API whose route table is inspected without serving requests.
    static func withRouteTable<Value>(_ body: (RouteTable) throws -> Value) async throws -> Value {
        let database = try TestDatabase.database(url: unreachableURL, maxConnections: 1)
        let api = EstateAPI(database: database, configuration: HTTPConfiguration())
        let result = Result { try body(api.routes) }
        await database.close()
        return try result.get()
    }
}

extension HTTPFields {
    init(requestID: String?, contentType: String? = nil) {
        self.init()
        if let requestID { self[.xRequestID] = requestID }
        if let contentType { self[.contentType] = contentType }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let retryAfter = HTTPField.Name("Retry-After")!
    static let allow = HTTPField.Name("Allow")!
}

extension TestResponse {
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }

    /// The body as a JSON object (fails the test when it is not one).
    func jsonObject() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        guard let object = value as? [String: Any] else {
            throw Harness.Failure("body is not a JSON object: \(text)")
        }
        return object
    }

    func problem() throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(body.readableBytesView))
    }

    var contentType: String { headers[.contentType] ?? "" }
}

extension Harness {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Whether a generated request id looks like ours (a lowercase UUID).
    static func isGeneratedID(_ id: String?) -> Bool {
        guard let id, let uuid = UUID(uuidString: id) else { return false }
        return uuid.uuidString.lowercased() == id
    }
}
