import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Roles and grants")
struct RoleTests {
    @Test func customRolesGrantedAtUnitsWithoutEscalation() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        try await world.test { client in
            let admin = try await signIn(client, "system.administrator")
            try await client.execute(uri: "/v1/roles", method: .post, headers: headers(admin),
                                     body: try jsonBody(["code": "viewer", "name": "Viewer", "level": "project",
                                                         "permissions": ["org.read", "users.read"]])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/v1/roles", method: .post, headers: headers(admin),
                                     body: try jsonBody(["code": "cashier", "name": "Mine", "level": "project", "permissions": ["org.read"]])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/roles", method: .get, headers: headers(admin)) { (response: TestResponse) throws in
                let roles = ((try json(response.body)["items"] as? [[String: Any]]) ?? [])
                #expect(roles.count == BuiltInRoles.all.count + 1)
                #expect(roles.last?["code"] as? String == "viewer")
                #expect(roles.last?["builtIn"] as? Bool == false)
            }
            // A new user with the custom role at one project sees that project only.
            let user = try await client.execute(uri: "/v1/users", method: .post, headers: headers(admin),
                                                body: try jsonBody(["orgUnitId": lakeside.uuidString, "username": "viv",
                                                                    "displayName": "Viv", "password": "viewer passphrase 1"])) { (response: TestResponse) throws in
                try #require(try json(response.body)["id"] as? String)
            }
            let grant = try await client.execute(uri: "/v1/users/\(user)/grants", method: .post, headers: headers(admin),
                                                 body: try jsonBody(["role": "viewer", "orgUnitId": lakeside.uuidString])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try #require(try json(response.body)["id"] as? String)
            }
            let viv = try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                                               body: loginBody("viv", password: "viewer passphrase 1")) { (response: TestResponse) throws in
                try #require(try json(response.body)["token"] as? String)
            }
            try await client.execute(uri: "/v1/org-units/\(lakeside)", method: .get, headers: bearer(viv)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/org-units/\(riverside)", method: .get, headers: bearer(viv)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            // No one hands out more than they hold: the administrator has no customer permissions.
            try await client.execute(uri: "/v1/users/\(user)/grants", method: .post, headers: headers(admin),
                                     body: try jsonBody(["role": "property_consultant", "orgUnitId": lakeside.uuidString])) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
                #expect(try json(response.body)["code"] as? String == "exceeds-granter")
            }
            try await client.execute(uri: "/v1/users/\(user)/grants", method: .post, headers: headers(admin),
                                     body: try jsonBody(["role": "no_such_role", "orgUnitId": lakeside.uuidString])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
            }
            // Another group cannot touch the grant; revoking it takes effect on the next request.
            let other = try await signIn(client, "admin", group: "other")
            try await client.execute(uri: "/v1/users/\(user)/grants/\(grant)", method: .delete, headers: headers(other)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/users/\(user)/grants/\(grant)", method: .delete, headers: headers(admin)) { (response: TestResponse) throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/org-units/\(lakeside)", method: .get, headers: bearer(viv)) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
        }
        await world.database.close()
    }
}
