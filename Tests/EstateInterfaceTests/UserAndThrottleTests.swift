import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Users")
struct UserTests {
    @Test func administratorManagesUsersWithinReach() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            // The password policy names the field.
            try await client.execute(uri: "/v1/users", method: .post, headers: headers(admin),
                                     body: try jsonBody(["orgUnitId": riverside.uuidString, "username": "amy.wong",
                                                         "displayName": "Amy Wong", "password": "short"])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
                #expect(((try json(response.body)["errors"] as? [[String: Any]])?.first?["field"] as? String) == "password")
            }
            let created = try await client.execute(uri: "/v1/users", method: .post, headers: headers(admin),
                                                   body: try jsonBody(["orgUnitId": riverside.uuidString, "username": "Amy.Wong",
                                                                       "displayName": "Amy Wong", "password": "a long passphrase 1"])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try json(response.body)
            }
            let id = try #require(created["id"] as? String)
            #expect(created["username"] as? String == "amy.wong")
            try await client.execute(uri: "/v1/users", method: .post, headers: headers(admin),
                                     body: try jsonBody(["orgUnitId": riverside.uuidString, "username": "amy.wong",
                                                         "displayName": "Amy Again", "password": "a long passphrase 2"])) { (response: TestResponse) throws in
                #expect(response.status == .conflict)
            }
            // The new user can sign in; a password reset ends that session and the new password works.
            let amy = try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                                               body: loginBody("amy.wong", password: "a long passphrase 1")) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                return try #require(try json(response.body)["token"] as? String)
            }
            try await client.execute(uri: "/v1/users/\(id)/reset-password", method: .post, headers: headers(admin),
                                     body: try jsonBody(["password": "another passphrase 3"])) { (response: TestResponse) throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(amy)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                                     body: loginBody("amy.wong", password: "another passphrase 3")) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            // Rename, then deactivate: she can no longer sign in.
            try await client.execute(uri: "/v1/users/\(id)", method: .patch, headers: headers(admin, ifMatch: "\"2\""),
                                     body: try jsonBody(["displayName": "Amy W."])) { (response: TestResponse) throws in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/v1/users/\(id)/deactivate", method: .post, headers: headers(admin, ifMatch: "\"3\"")) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                                     body: loginBody("amy.wong", password: "another passphrase 3")) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
            }
            // A consultant cannot list users; another group cannot see her at all.
            let consultant = try await signIn(client, "property.consultant")
            try await client.execute(uri: "/v1/users", method: .get, headers: headers(consultant)) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
            let other = try await signIn(client, "admin", group: "other")
            try await client.execute(uri: "/v1/users/\(id)", method: .get, headers: headers(other)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            // The project administrator sees the project's users only.
            let projectAdmin = try await signIn(client, "project.administrator")
            try await client.execute(uri: "/v1/users?limit=500", method: .get, headers: headers(projectAdmin)) { (response: TestResponse) throws in
                let names = Set(((try json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["username"] as? String })
                #expect(names.contains("amy.wong"))
                #expect(names.contains("property.consultant"))
                #expect(!names.contains("system.administrator"))
                #expect(!names.contains("admin"))
            }
            // Every change is in the trail, and the password never is.
            try await client.execute(uri: "/v1/audit-entries?objectId=\(id)", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                let text = String(buffer: response.body)
                #expect(!text.contains("passphrase"))
                let actions = ((try json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["user.deactivate", "user.update", "user.reset_password", "user.create"])
            }
        }
        await world.database.close()
    }
}

@Suite("Login rate limit")
struct LoginRateLimitTests {
    @Test func repeatedFailuresAre429WithRetryAfter() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            for _ in 0..<5 {
                try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                                         body: loginBody("cashier", password: "wrong guess 123")) { (response: TestResponse) throws in
                    #expect(response.status == .unauthorized)
                }
            }
            // Blocked now, even with the right password.
            try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders, body: loginBody("cashier")) { (response: TestResponse) throws in
                #expect(response.status == .tooManyRequests)
                let wait = Int(response.headers[.retryAfter] ?? "") ?? 0
                #expect(wait > 800 && wait <= 900)
                #expect(try json(response.body)["code"] as? String == "too-many-attempts")
            }
            // Another user is not affected (the address limit is higher).
            _ = try await signIn(client, "sales.manager")
        }
        await world.database.close()
    }
}
