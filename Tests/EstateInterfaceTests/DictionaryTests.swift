import EstateData
import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Dictionaries")
struct DictionaryTests {
    @Test func readByAllChangedAtTheRootPerGroup() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .get, headers: headers(consultant)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                let codes = ((try json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
                #expect(codes == ["walk_in", "call", "owner_referral", "agency"])
            }
            try await client.execute(uri: "/v1/dictionaries/star_signs/entries", method: .get, headers: headers(consultant)) { (response: TestResponse) throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .post, headers: headers(consultant),
                                     body: try jsonBody(["code": "exhibition", "label": "Exhibition"])) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
            let admin = try await signIn(client, "system.administrator")
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .post, headers: headers(admin),
                                     body: try jsonBody(["code": "exhibition", "label": "Exhibition", "sortOrder": 5])) { (response: TestResponse) throws in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                #expect(response.headers[.eTag] == "\"1\"")
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .post, headers: headers(admin),
                                     body: try jsonBody(["code": "exhibition", "label": "Again"])) { (response: TestResponse) throws in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .post, headers: headers(admin),
                                     body: try jsonBody(["code": "Bad Code", "label": " "])) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries/call", method: .patch,
                                     headers: headers(admin, ifMatch: "\"1\""), body: try jsonBody(["active": false])) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                #expect(try json(response.body)["active"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries/call", method: .patch,
                                     headers: headers(admin, ifMatch: "\"1\""), body: try jsonBody(["label": "Stale"])) { (response: TestResponse) throws in
                #expect(response.status == .preconditionFailed)
            }
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .get, headers: headers(consultant)) { (response: TestResponse) throws in
                let items = (try json(response.body)["items"] as? [[String: Any]]) ?? []
                #expect(items.first?["code"] as? String == "exhibition")
                #expect(items.first { $0["code"] as? String == "call" }?["active"] as? Bool == false)
            }
            // Each group has its own values.
            let other = try await signIn(client, "admin", group: "other")
            try await client.execute(uri: "/v1/dictionaries/customer_sources/entries", method: .get, headers: headers(other)) { (response: TestResponse) throws in
                let codes = ((try json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
                #expect(!codes.contains("exhibition"))
            }
        }
        await world.database.close()
    }
}
