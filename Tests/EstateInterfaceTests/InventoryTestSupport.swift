import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A response's status, ETag and JSON body (an object; `[:]` when there is none).
struct Reply {
    let status: HTTPResponse.Status
    let etag: String?
    let body: [String: Any]
    let text: String

    var code: String? { body["code"] as? String }
    var items: [[String: Any]] { body["items"] as? [[String: Any]] ?? [] }
    var errorFields: [String] { (body["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    func string(_ key: String) -> String? { body[key] as? String }
    func id() throws -> UUID {
        guard let text = body["id"] as? String, let id = UUID(uuidString: text) else { throw Harness.Failure("no id in \(self.text)") }
        return id
    }
}

/// Sends one request with a bearer token and an optional JSON body (an object or a raw string).
func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ token: String,
          _ body: Any? = nil, ifMatch: String? = nil, extra: HTTPFields = [:]) async throws -> Reply {
    var fields = headers(token, ifMatch: ifMatch)
    for field in extra { fields[field.name] = field.value }
    let buffer: ByteBuffer? = switch body {
    case let text as String: ByteBuffer(string: text)
    case let object?: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    case nil: nil
    }
    return try await client.execute(uri: uri, method: method, headers: fields, body: buffer) { (response: TestResponse) throws -> Reply in
        let text = String(buffer: response.body)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: text)
    }
}

extension IdentityWorld {
    /// Creates a building in a project through the API and returns its id.
    func building(_ client: some TestClientProtocol, _ token: String, project: UUID, code: String) async throws -> UUID {
        let reply = try await call(client, .post, "/v1/projects/\(project)/buildings", token, ["code": code, "name": "Tower \(code)"])
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.id()
    }

    /// Creates `floors` × `perFloor` apartments (entrance 1) through the API; returns their ids by number.
    func rooms(_ client: some TestClientProtocol, _ token: String, building: UUID, floors: ClosedRange<Int>,
               perFloor: Int) async throws -> [String: UUID] {
        var ids: [String: UUID] = [:]
        for floor in floors {
            for index in 1...perFloor {
                let number = "\(floor)\(String(format: "%02d", index))"
                let reply = try await call(client, .post, "/v1/buildings/\(building)/rooms", token, [
                    "number": number, "floor": floor, "stack": index, "layout": index % 2 == 0 ? "3b2l" : "2b1l",
                    "orientation": index % 2 == 0 ? "S" : "N", "builtAreaForecast": "\(80 + index * 10).50",
                    "internalAreaForecast": "\(70 + index * 10).25",
                ])
                #expect(reply.status == .created, "\(reply.text)")
                ids[number] = try reply.id()
            }
        }
        return ids
    }
}
