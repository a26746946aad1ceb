import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Testing

/// A migrated database with the demo data set and a second group, an API over it, and SQL access.
struct IdentityWorld {
    let url: String
    let database: Database
    let api: EstateAPI
    let otherGroupUnit: UUID
    static let fastHasher = PasswordHasher(cost: 4)

    static func make(acquireTimeout: Duration = .seconds(5)) async throws -> IdentityWorld {
        let url = try await TestDatabase.migrated()
        let database = try TestDatabase.database(url: url, acquireTimeout: acquireTimeout)
        _ = try await database.seedDemo(hasher: fastHasher, inventory: false)
        // A second tenant with a user of its own.
        let otherUnit = try await database.unitOfWork { work -> UUID in
            let group = Group(id: UUIDv7.make(), code: "other", name: "Other Group")
            _ = try await work.groups.insertIfMissing(group)
            let root = OrgUnit.root(of: group, id: UUIDv7.make())
            try await work.orgUnits.insert(root)
            let user = User(groupID: group.id, id: UUIDv7.make(), orgUnitID: root.id, username: "admin", displayName: "Other admin")
            try await work.users.insert(user, passwordHash: try await fastHasher.hash(DemoData.password))
            // Every built-in role at the root: the other group's administrator holds every permission,
            // so that whatever they are refused in the demo group is refused by scope (404), not by permission.
            for role in BuiltInRoles.all {
                _ = try await work.roles.grant(role.code, userID: user.id, orgUnitID: root.id, groupID: group.id)
            }
            return root.id
        }
        let api = EstateAPI(database: database, configuration: HTTPConfiguration(),
                            authentication: AuthenticationSettings(hasher: fastHasher))
        return IdentityWorld(url: url, database: database, api: api, otherGroupUnit: otherUnit)
    }

    func sql(_ statement: SQL) async throws {
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        try await pool.execute(statement)
        await pool.close()
    }

    func unitID(_ code: String, group: String = DemoData.groupCode) async throws -> UUID {
        let pool = PQPool(configuration: PQPoolConfiguration(url: url, maxConnections: 1))
        let rows = try await pool.query("""
            SELECT u.id FROM org_units u JOIN groups g ON g.id = u.group_id WHERE g.code = \(group) AND u.code = \(code)
            """)
        await pool.close()
        return try rows.firstRow!.decode("id")
    }

    func test<T>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: api.makeRouter())
        let result = try await app.test(.router, body)
        return result
    }
}

func loginBody(_ username: String, group: String = DemoData.groupCode, password: String = DemoData.password) -> ByteBuffer {
    ByteBuffer(string: #"{"group":"\#(group)","username":"\#(username)","password":"\#(password)"}"#)
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

/// Signs in and returns the token.
func signIn(_ client: some TestClientProtocol, _ username: String, group: String = DemoData.groupCode,
            password: String = DemoData.password) async throws -> String {
    try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders,
                             body: loginBody(username, group: group, password: password)) { response in
        #expect(response.status == .ok, "login of \(username): \(String(buffer: response.body))")
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return try #require(object?["token"] as? String)
    }
}

@Suite("Authentication")
struct AuthenticationTests {
    @Test func loginMeLogout() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let token = try await signIn(client, "property.consultant")
            #expect(token.hasPrefix("est_"))
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
                let me = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let user = me?["user"] as? [String: Any]
                #expect(user?["username"] as? String == "property.consultant")
                let grants = me?["grants"] as? [[String: Any]]
                #expect(grants?.first?["role"] as? String == "property_consultant")
                #expect((grants?.first?["permissions"] as? [String])?.contains("customers.write") == true)
            }
            try await client.execute(uri: "/v1/auth/logout", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .noContent)
            }
            // Revoked: the same token no longer works.
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
        await world.database.close()
    }

    @Test func wrongCredentialsAreOneAnswer() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            var details: Set<String> = []
            for body in [loginBody("property.consultant", password: "wrong-password-1"), loginBody("nobody"),
                         loginBody("property.consultant", group: "nogroup"), loginBody("admin")] {
                try await client.execute(uri: "/v1/auth/login", method: .post, headers: jsonHeaders, body: body) { response in
                    #expect(response.status == .unauthorized)
                    let problem = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    details.insert(problem?["detail"] as? String ?? "")
                }
            }
            #expect(details.count == 1)
            // The other group's admin signs in with their own group only.
            _ = try await signIn(client, "admin", group: "other")
        }
        await world.database.close()
    }

    @Test func missingMalformedExpiredTokensAre401() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            for headers: HTTPFields in [[:], [.authorization: "Basic abc"], [.authorization: "Bearer nonsense"],
                                        bearer("est_" + String(repeating: "0", count: 32) + "_" + String(repeating: "a", count: 43))] {
                try await client.execute(uri: "/v1/me", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            let token = try await signIn(client, "cashier")
            try await world.sql("UPDATE sessions SET expires_at = now() - interval '1 second'")
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
        await world.database.close()
    }

    @Test func deactivatedUserLosesTheSession() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let token = try await signIn(client, "cashier")
            try await world.sql("UPDATE users SET active = false WHERE username = 'cashier'")
            try await client.execute(uri: "/v1/me", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
        await world.database.close()
    }
}

@Suite("Organisation units: who sees what")
struct OrgUnitAccessTests {
    @Test func visibilityMatrix() async throws {
        let world = try await IdentityWorld.make()
        let units = [
            "demo": try await world.unitID("demo"), "east": try await world.unitID("east"),
            "shanghai": try await world.unitID("shanghai"), "riverside": try await world.unitID("riverside"),
            "lakeside": try await world.unitID("lakeside"), "other": world.otherGroupUnit,
        ]
        // A grant of a role without permissions: sees its unit, may do nothing there.
        try await world.sql("""
            INSERT INTO role_grants (group_id, id, user_id, role, org_unit_id)
            SELECT u.group_id, \(UUIDv7.make()), u.id, 'retired_role', \(units["lakeside"]!)
            FROM users u JOIN groups g ON g.id = u.group_id WHERE g.code = 'demo' AND u.username = 'cashier'
            """)
        // caller -> unit -> expected status
        let expected: [String: [String: HTTPResponse.Status]] = [
            "group.management": ["demo": .ok, "east": .ok, "shanghai": .ok, "riverside": .ok, "lakeside": .ok, "other": .notFound],
            "city.finance": ["demo": .notFound, "east": .notFound, "shanghai": .ok, "riverside": .ok, "lakeside": .ok, "other": .notFound],
            "project.administrator": ["demo": .notFound, "east": .notFound, "shanghai": .notFound, "riverside": .ok,
                                      "lakeside": .notFound, "other": .notFound],
            "cashier": ["demo": .notFound, "shanghai": .notFound, "riverside": .ok, "lakeside": .forbidden, "other": .notFound],
        ]
        try await world.test { client in
            for (username, row) in expected.sorted(by: { $0.key < $1.key }) {
                let token = try await signIn(client, username)
                for (code, status) in row.sorted(by: { $0.key < $1.key }) {
                    try await client.execute(uri: "/v1/org-units/\(units[code]!)", method: .get, headers: bearer(token)) { response in
                        #expect(response.status == status, "\(username) GET \(code)")
                        if status != .ok {
                            #expect(response.headers[.contentType] == "application/problem+json")
                        }
                        if status == .notFound {
                            // Exactly the answer for an id that exists nowhere: nothing to probe.
                            let problem = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                            #expect(problem?["code"] as? String == "not-found")
                            #expect(problem?["detail"] as? String == "No such resource.")
                        }
                    }
                }
                // An id that exists nowhere is the same 404 as another group's.
                try await client.execute(uri: "/v1/org-units/\(UUIDv7.make())", method: .get, headers: bearer(token)) { response in
                    #expect(response.status == .notFound)
                }
            }
            // Lists show exactly what the caller may read, never another group's units.
            let lists: [String: Set<String>] = [
                "group.management": ["demo", "east", "shanghai", "riverside", "lakeside"],
                "city.finance": ["shanghai", "riverside", "lakeside"],
                "project.administrator": ["riverside"],
            ]
            for (username, codes) in lists {
                let token = try await signIn(client, username)
                try await client.execute(uri: "/v1/org-units?limit=2", method: .get, headers: bearer(token)) { response in
                    #expect(response.status == .ok)
                }
                var seen: Set<String> = []
                var cursor: String? = nil
                repeat {
                    let uri = "/v1/org-units?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                    cursor = try await client.execute(uri: uri, method: .get, headers: bearer(token)) { response in
                        let page = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        for item in page?["items"] as? [[String: Any]] ?? [] { seen.insert(item["code"] as? String ?? "?") }
                        return page?["nextCursor"] as? String
                    }
                } while cursor != nil
                #expect(seen == codes, "\(username) lists \(seen.sorted())")
            }
        }
        await world.database.close()
    }

    @Test func detailHasChildren() async throws {
        let world = try await IdentityWorld.make()
        let city = try await world.unitID("shanghai")
        try await world.test { client in
            let token = try await signIn(client, "group.management")
            try await client.execute(uri: "/v1/org-units/\(city)", method: .get, headers: bearer(token)) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let children = (body?["children"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
                #expect(children == ["lakeside", "riverside"])
                #expect((body?["unit"] as? [String: Any])?["kind"] as? String == "city_company")
            }
            try await client.execute(uri: "/v1/org-units?limit=0", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/org-units/not-a-uuid", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .badRequest || response.status == .notFound)
            }
        }
        await world.database.close()
    }
}

extension HTTPField.Name {
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
}
