import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
}

func jsonBody(_ object: [String: Any]) throws -> ByteBuffer {
    ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
}

func headers(_ token: String, ifMatch: String? = nil) -> HTTPFields {
    var fields: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
    if let ifMatch { fields[.ifMatch] = ifMatch }
    return fields
}

@Suite("Organisation units: changes")
struct OrgUnitWriteTests {
    @Test func createRenameMoveDeactivateWithAuditTrail() async throws {
        let world = try await IdentityWorld.make()
        let city = try await world.unitID("shanghai")
        let east = try await world.unitID("east")
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            // Create a project under the city company.
            let created = try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(admin),
                                                   body: try jsonBody(["parentId": city.uuidString, "kind": "project",
                                                                       "code": "hillside", "name": " Hillside Park "])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                #expect(response.headers[.eTag] == "\"1\"")
                return try json(response.body)
            }
            let id = try #require(created["id"] as? String)
            #expect(created["name"] as? String == "Hillside Park")
            #expect((created["path"] as? [String])?.count == 4)

            // Nothing can go under a project; codes are unique in the group; the parent must be visible.
            try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(admin),
                                     body: try jsonBody(["parentId": id, "kind": "project", "code": "sub", "name": "Sub"])) { (response: TestResponse) throws in
                #expect(response.status == .unprocessableContent)
                #expect(try json(response.body)["code"] as? String == "kind-not-allowed")
            }
            try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(admin),
                                     body: try jsonBody(["parentId": city.uuidString, "kind": "project", "code": "riverside", "name": "Again"])) { (response: TestResponse) throws in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(admin),
                                     body: try jsonBody(["parentId": world.otherGroupUnit.uuidString, "kind": "region", "code": "x1", "name": "X"])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
                #expect(((try json(response.body)["errors"] as? [[String: Any]])?.first?["field"] as? String) == "parentId")
            }
            try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(admin),
                                     body: try jsonBody(["parentId": city.uuidString, "kind": "castle", "code": "Bad Code", "name": " "])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
                let fields = Set(((try json(response.body)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["kind", "code", "name"])
            }

            // Rename needs If-Match with the current version.
            try await client.execute(uri: "/v1/org-units/\(id)", method: .patch, headers: headers(admin),
                                     body: try jsonBody(["name": "Hillside"])) { (response: TestResponse) throws in
                #expect(response.status == .preconditionRequired)
            }
            try await client.execute(uri: "/v1/org-units/\(id)", method: .patch, headers: headers(admin, ifMatch: "\"1\""),
                                     body: try jsonBody(["name": "Hillside"])) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"2\"")
            }
            try await client.execute(uri: "/v1/org-units/\(id)", method: .patch, headers: headers(admin, ifMatch: "\"1\""),
                                     body: try jsonBody(["name": "Stale"])) { (response: TestResponse) throws in
                #expect(response.status == .preconditionFailed)
            }

            // Move the city company (with its three projects) directly under the group: every path follows.
            let root = try await world.unitID("demo")
            try await client.execute(uri: "/v1/org-units/\(city)/move", method: .post, headers: headers(admin, ifMatch: "\"1\""),
                                     body: try jsonBody(["parentId": root.uuidString])) { (response: TestResponse) throws in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(try json(response.body)["parentId"] as? String == root.uuidString)
            }
            try await client.execute(uri: "/v1/org-units/\(riverside)", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                let path = (try json(response.body)["unit"] as? [String: Any])?["path"] as? [String]
                #expect(path == [root, city, riverside].map(\.uuidString))
            }
            try await client.execute(uri: "/v1/org-units/\(east)/move", method: .post, headers: headers(admin, ifMatch: "\"1\""),
                                     body: try jsonBody(["parentId": east.uuidString])) { (response: TestResponse) throws in
                #expect(response.status == .unprocessableContent)
                #expect(try json(response.body)["code"] as? String == "move-into-own-subtree")
            }

            // Deactivate: not with active children; a leaf is fine.
            try await client.execute(uri: "/v1/org-units/\(city)/deactivate", method: .post, headers: headers(admin, ifMatch: "\"2\"")) { (response: TestResponse) throws in
                #expect(response.status == .unprocessableContent)
                #expect(try json(response.body)["code"] as? String == "has-active-children")
            }
            // (The move changed every path below the city company, so their versions moved on too.)
            try await client.execute(uri: "/v1/org-units/\(id)/deactivate", method: .post, headers: headers(admin, ifMatch: "\"3\"")) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                #expect(try json(response.body)["active"] as? Bool == false)
            }

            // A consultant may read but not change the tree.
            let consultant = try await signIn(client, "property.consultant")
            try await client.execute(uri: "/v1/org-units", method: .post, headers: headers(consultant),
                                     body: try jsonBody(["parentId": riverside.uuidString, "kind": "project", "code": "no", "name": "No"])) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }

            // The trail has every change, newest first, with who, what and the request id.
            let trail = try await client.execute(uri: "/v1/audit-entries?objectId=\(id)", method: .get,
                                                 headers: headers(admin).merging([.xRequestID: "check-trail"])) { (response: TestResponse) throws in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try json(response.body)["items"] as? [[String: Any]] ?? []
            }
            #expect(trail.map { $0["action"] as? String } == ["org_unit.deactivate", "org_unit.update", "org_unit.create"])
            let rename = try #require(trail.dropFirst().first)
            let changes = rename["changes"] as? [[String: Any]]
            #expect(changes?.count == 1)
            #expect(changes?.first?["field"] as? String == "name")
            #expect(changes?.first?["before"] as? String == "Hillside Park")
            #expect(changes?.first?["after"] as? String == "Hillside")
            #expect((rename["actor"] as? [String: Any])?["type"] as? String == "user")
            // Failed attempts left nothing behind.
            try await client.execute(uri: "/v1/audit-entries", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                let actions = (try json(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                #expect(actions.count == 4)  // create, rename, move, deactivate
            }
            // The other group's administrator sees none of it.
            let other = try await signIn(client, "admin", group: "other")
            try await client.execute(uri: "/v1/audit-entries", method: .get, headers: headers(other)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                #expect((try json(response.body)["items"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/org-units/\(id)", method: .patch, headers: headers(other, ifMatch: "\"4\""),
                                     body: try jsonBody(["name": "Mine"])) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
        }
        // And the chain behind it is whole.
        let verification = try await world.database.verifyAudit(groupCode: "demo")
        #expect(verification.first?.entries == 4)
        #expect(verification.first?.firstBreak == nil)
        await world.database.close()
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}
