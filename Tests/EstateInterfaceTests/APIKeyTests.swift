import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API keys")
struct APIKeyTests {
    static func inAWeek() -> String {
        Date().addingTimeInterval(7 * 86_400).formatted(.iso8601)
    }

    @Test func keysAreScopedShownOnceRevocableAndExpire() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            // A key may not get what its creator lacks (the administrator has no customers.read), nor unknown permissions.
            try await client.execute(uri: "/v1/api-keys", method: .post, headers: headers(admin),
                                     body: try jsonBody(["name": "CRM sync", "orgUnitId": riverside.uuidString,
                                                         "permissions": ["org.read", "customers.read", "made.up"],
                                                         "expiresAt": Self.inAWeek()])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
                let fields = ((try json(response.body)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
                #expect(fields == ["permissions[1]", "permissions[2]"])
            }
            let created = try await client.execute(uri: "/v1/api-keys", method: .post, headers: headers(admin),
                                                   body: try jsonBody(["name": "PM export", "orgUnitId": riverside.uuidString,
                                                                       "permissions": ["org.read"], "expiresAt": Self.inAWeek()])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try json(response.body)
            }
            let key = try #require(created["key"] as? String)
            let id = try #require(created["id"] as? String)
            #expect(key.hasPrefix("esk_"))

            // The key reads what its scope allows and nothing else.
            try await client.execute(uri: "/v1/org-units/\(riverside)", method: .get, headers: bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/org-units/\(lakeside)", method: .get, headers: bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/users", method: .get, headers: bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
            // Listed without the secret.
            try await client.execute(uri: "/v1/api-keys", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains(key))
                #expect((try json(response.body)["items"] as? [[String: Any]])?.first?["name"] as? String == "PM export")
            }
            // Revoked: refused at once.
            try await client.execute(uri: "/v1/api-keys/\(id)/revoke", method: .post, headers: headers(admin)) { (response: TestResponse) throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/org-units/\(riverside)", method: .get, headers: bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
            }
            // An expired key is refused too.
            let second = try await client.execute(uri: "/v1/api-keys", method: .post, headers: headers(admin),
                                                  body: try jsonBody(["name": "Short", "orgUnitId": riverside.uuidString,
                                                                      "permissions": ["org.read"], "expiresAt": Self.inAWeek()])) { (response: TestResponse) throws in
                try #require(try json(response.body)["key"] as? String)
            }
            try await world.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE name = 'Short'")
            try await client.execute(uri: "/v1/org-units/\(riverside)", method: .get, headers: bearer(second)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
            }
            // Another group's administrator cannot revoke ours.
            let other = try await signIn(client, "admin", group: "other")
            try await client.execute(uri: "/v1/api-keys/\(id)/revoke", method: .post, headers: headers(other)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            // Creation and revocation are audited, without the key.
            try await client.execute(uri: "/v1/audit-entries?objectType=api_key", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                let actions = ((try json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["api_key.create", "api_key.revoke", "api_key.create"])
                #expect(!String(buffer: response.body).contains("esk_"))
            }
        }
        await world.database.close()
    }
}
