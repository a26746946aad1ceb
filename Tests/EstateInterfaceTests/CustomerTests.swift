import EstateData
import EstateInterface
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Customers through the router and the database: duplicate rules, masking, visibility, follow-ups,
/// the timeline, merges and the search.
@Suite("Customers")
struct CustomerTests {
    /// A second consultant at riverside, made through the API; returns their token and id.
    /// (The administrator may not hand out customer permissions it does not hold: the grant goes straight into the database.)
    static func consultant(_ client: some TestClientProtocol, _ world: IdentityWorld, _ name: String, at unit: UUID) async throws -> (token: String, id: String) {
        let admin = try await signIn(client, "system.administrator")
        let user = try await call(client, .post, "/v1/users", admin, ["orgUnitId": unit.uuidString, "username": name, "displayName": name,
                                                                      "password": "consultant passphrase 1"])
        let id = try #require(user.string("id"), "\(user.text)")
        let groupID = try await world.groupID()
        _ = try await world.database.unitOfWork { work in
            try await work.roles.grant("property_consultant", userID: try #require(UUID(uuidString: id)), orgUnitID: unit, groupID: groupID)
        }
        return (try await signIn(client, name, password: "consultant passphrase 1"), id)
    }

    static func rule(_ client: some TestClientProtocol, _ token: String, _ name: String, _ sets: [[String]], _ action: String,
                     project: UUID? = nil) async throws -> Reply {
        var body: [String: Any] = ["name": name, "fieldSets": sets, "action": action]
        if let project { body["projectId"] = project.uuidString }
        let reply = try await call(client, .post, "/v1/duplicate-rules", token, body)
        #expect(reply.status == .created, "\(reply.text)")
        return reply
    }

    @Test func theSamePhoneWrittenFiveWaysIsOneCustomer() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let manager = try await signIn(client, "sales.manager")
            let consultant = try await signIn(client, "property.consultant")
            let groupAdmin = try await signIn(client, "city.sales.management")
            // A group-wide rule needs customers.assign at the root: the city manager's reach is not enough.
            #expect(try await call(client, .post, "/v1/duplicate-rules", groupAdmin,
                                   ["name": "Phone", "fieldSets": [["phone"]], "action": "block"]).status == .forbidden)
            _ = try await Self.rule(client, manager, "Phone", [["phone"]], "block", project: riverside)
            let path = "/v1/projects/\(riverside)/customers"
            let first = try await client.execute(uri: path, method: .post, headers: headers(consultant),
                                                 body: try jsonBody(["name": "Li Wei", "source": "walk_in",
                                                                     "phones": [["number": "138 0013 8000", "label": "mobile"]]])) { response in
                try expectConforms(response, to: "POST", "/v1/projects/{id}/customers")
                #expect(response.status == .created)
                return try response.jsonObject()
            }
            let customer = try #require(first["customer"] as? [String: Any])
            let firstID = try #require(customer["id"] as? String)
            #expect((customer["phones"] as? [[String: Any]])?.first?["number"] as? String == "13800138000")
            for written in ["+86 138-0013-8000", "0086 13800138000", "8613800138000", "（１３８）００１３ ８０００", "138.0013.8000"] {
                let again = try await call(client, .post, path, consultant, ["name": "Someone", "source": "call", "phones": [["number": written]]])
                #expect(again.status == .conflict, "\(written): \(again.text)")
                #expect(again.code == "duplicate-customer")
                let match = (again.body["duplicates"] as? [[String: Any]])?.first
                #expect(match?["customerId"] as? String == firstID, "\(written)")
                #expect(match?["fields"] as? [String] == ["phone"])
                #expect(match?["ownerName"] as? String == "Property consultant")
                #expect(match?["projectName"] as? String == "Riverside Garden")
            }
            // The check answers the same without creating anything.
            let check = try await call(client, .post, "/v1/customers/duplicate-check", consultant,
                                       ["projectId": riverside.uuidString, "phones": ["+86 138 0013 8000"]])
            #expect(check.status == .ok, "\(check.text)")
            #expect(check.string("action") == "block")
            #expect((check.body["matches"] as? [[String: Any]])?.count == 1)
            let clean = try await call(client, .post, "/v1/customers/duplicate-check", consultant,
                                       ["projectId": riverside.uuidString, "phones": ["139 0000 0000"]])
            #expect(clean.body["action"] == nil && (clean.body["matches"] as? [Any])?.isEmpty == true, "\(clean.text)")
            let unreadable = try await call(client, .post, "/v1/customers/duplicate-check", consultant,
                                            ["projectId": riverside.uuidString, "phones": ["12", "13800138000"]])
            #expect(unreadable.body["ignoredPhones"] as? [Int] == [0] && unreadable.string("action") == "block", "\(unreadable.text)")
            let search = try await call(client, .get, "/v1/customers?projectId=\(riverside)", consultant)
            #expect(search.items.count == 1)
        }
        await world.database.close()
    }

    @Test func warnAndApproveRulesLetTheCustomerInWithTheMatches() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let manager = try await signIn(client, "sales.manager")
            let consultant = try await signIn(client, "property.consultant")
            let warn = try await Self.rule(client, manager, "Same name", [["name"]], "warn", project: riverside)
            _ = try await Self.rule(client, manager, "Name and phone", [["name", "phone"]], "approve", project: riverside)
            _ = try await Self.rule(client, manager, "ID", [["id_number"]], "block", project: riverside)
            let path = "/v1/projects/\(riverside)/customers"
            let zhang = try await call(client, .post, path, consultant, ["name": "Zhang  San", "source": "walk_in", "phones": [["number": "13911112222"]],
                                                                         "idType": "resident_id", "idNumber": "11010519491231002x"])
            #expect(zhang.status == .created, "\(zhang.text)")
            let zhangID = try #require((zhang.body["customer"] as? [String: Any])?["id"] as? String)
            #expect((zhang.body["customer"] as? [String: Any])?["idNumber"] as? String == "11010519491231002X")
            // Same name, another phone: warned, created.
            let warned = try await call(client, .post, path, consultant, ["name": "ZHANG SAN", "source": "walk_in", "phones": [["number": "13933334444"]]])
            #expect(warned.status == .created, "\(warned.text)")
            #expect((warned.body["duplicates"] as? [[String: Any]])?.map { $0["ruleId"] as? String } == [try warn.id().uuidString.uppercased()]
                    || (warned.body["duplicates"] as? [[String: Any]])?.first?["action"] as? String == "warn")
            #expect((warned.body["customer"] as? [String: Any])?["approval"] as? String == "none")
            // Same name and phone: needs a manager's approval.
            let pending = try await call(client, .post, path, consultant, ["name": "zhang san", "source": "walk_in", "phones": [["number": "139-1111-2222"]]])
            #expect(pending.status == .created, "\(pending.text)")
            let pendingCustomer = try #require(pending.body["customer"] as? [String: Any])
            #expect(pendingCustomer["approval"] as? String == "pending")
            let pendingID = try #require(pendingCustomer["id"] as? String)
            #expect(Set((pending.body["duplicates"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }) == ["warn", "approve"])
            #expect(try await call(client, .post, "/v1/customers/\(pendingID)/approval", consultant, ["decision": "approve"]).status == .forbidden)
            let approved = try await call(client, .post, "/v1/customers/\(pendingID)/approval", manager, ["decision": "approve"])
            #expect(approved.status == .ok && approved.string("approval") == "none", "\(approved.text)")
            #expect(try await call(client, .post, "/v1/customers/\(pendingID)/approval", manager, ["decision": "reject", "reason": "x"]).code == "not-pending")
            // The same ID number is blocked whatever else differs; a bad check digit is a field error.
            let blocked = try await call(client, .post, path, consultant, ["name": "Other", "source": "walk_in",
                                                                            "idType": "resident_id", "idNumber": "110105194912310021"])
            #expect(blocked.errorFields == ["idNumber"], "\(blocked.text)")
            let sameID = try await call(client, .post, path, consultant, ["name": "Other", "source": "walk_in",
                                                                           "idType": "resident_id", "idNumber": "11010519491231002X"])
            #expect(sameID.code == "duplicate-customer")
            // The check applies the same rules in one statement: the name alone (a rule has it), the ID number
            // (lower-case x normalised), the name with a phone; a project without rules and another group's project.
            let check = try await call(client, .post, "/v1/customers/duplicate-check", consultant,
                                       ["projectId": riverside.uuidString, "name": " zhang   SAN ", "idNumber": "11010519491231002x"])
            #expect(check.status == .ok && check.string("action") == "block", "\(check.text)")
            let checked = (check.body["matches"] as? [[String: Any]] ?? []).map { "\($0["action"] as? String ?? "") \($0["customerId"] as? String ?? "")" }
            #expect(checked.contains("block \(zhangID)") && checked.filter { $0.hasPrefix("warn ") }.count == 3, "\(checked)")
            let lakeside = try await world.unitID("lakeside")
            let noRules = try await call(client, .post, "/v1/customers/duplicate-check", manager,
                                         ["projectId": lakeside.uuidString, "name": "Zhang San", "phones": ["13911112222"]])
            #expect(noRules.status == .notFound || (noRules.body["matches"] as? [Any])?.isEmpty == true, "\(noRules.text)")
            let elsewhere = try await call(client, .post, "/v1/customers/duplicate-check", try await signIn(client, "admin", group: "other"),
                                           ["projectId": riverside.uuidString, "phones": ["13911112222"]])
            #expect(elsewhere.status == .notFound)
            #expect((sameID.body["duplicates"] as? [[String: Any]])?.first?["customerId"] as? String == zhangID)
            // Unknown dictionary codes and bad fields are named.
            let bad = try await call(client, .post, path, consultant, ["name": " ", "source": "nowhere", "phones": [["number": "12"]]])
            #expect(bad.errorFields.sorted() == ["name", "phones[0].number"], "\(bad.text)")
            let badSource = try await call(client, .post, path, consultant, ["name": "Wang", "source": "nowhere", "intentGrade": "z"])
            #expect(badSource.errorFields.sorted() == ["intentGrade", "source"], "\(badSource.text)")
            #expect(try await call(client, .post, path, consultant, ["name": "Wang", "source": "walk_in", "colour": "red"]).status == .badRequest)
        }
        await world.database.close()
    }

    @Test func consultantsSeeTheirOwnManagersAllAndMaskingFollowsThePermission() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let marketing = try await signIn(client, "city.marketing")
            let other = try await signIn(client, "admin", group: "other")
            let second = try await Self.consultant(client, world, "second.consultant", at: riverside)
            let created = try await call(client, .post, "/v1/projects/\(riverside)/customers", consultant, [
                "name": "Chen Jing", "source": "owner_referral", "phones": [["number": "13800138000"], ["number": "021-6552 8888"]],
                "idType": "resident_id", "idNumber": "11010519491231002X", "intentGrade": "a", "birthDate": "1949-12-31",
                "needs": ["budget": "3000000", "layouts": ["3b2l"], "areaFrom": "90", "areaTo": "120.5", "purpose": "upgrade"]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require((created.body["customer"] as? [String: Any])?["id"] as? String)
            // The owner sees everything; a consultant who does not own it does not see it at all.
            let mine = try await call(client, .get, "/v1/customers/\(id)", consultant)
            #expect(mine.status == .ok && mine.etag == "\"1\"")
            #expect((mine.body["phones"] as? [[String: Any]])?.compactMap { $0["number"] as? String } == ["13800138000", "02165528888"])
            #expect((mine.body["needs"] as? [String: Any])?["areaTo"] as? String == "120.50")
            // A customer stored with no needs at all (as the scale seed writes them) reads as empty needs.
            let bare = try await call(client, .post, "/v1/projects/\(riverside)/customers", consultant, ["name": "Bare", "source": "call", "needs": [String: Any]()])
            #expect(bare.status == .created && ((bare.body["customer"] as? [String: Any])?["needs"] as? [String: Any])?["layouts"] as? [String] == [], "\(bare.text)")
            #expect(try await call(client, .get, "/v1/customers/\(id)", second.token).status == .notFound)
            #expect(try await call(client, .get, "/v1/customers?projectId=\(riverside)", second.token).items.isEmpty)
            #expect(try await call(client, .get, "/v1/customers/\(id)", other).status == .notFound)
            // The manager sees it with personal data; city marketing reads customers without customers.pii: masked.
            #expect(try await call(client, .get, "/v1/customers/\(id)", manager).string("idNumber") == "11010519491231002X")
            let masked = try await client.execute(uri: "/v1/customers/\(id)", method: .get, headers: headers(marketing)) { response in
                try expectConforms(response, to: "GET", "/v1/customers/{id}")
                return try response.jsonObject()
            }
            #expect((masked["phones"] as? [[String: Any]])?.compactMap { $0["number"] as? String } == ["138****8000", "021****8888"])
            #expect(masked["idNumber"] as? String == "110***********002X")
            #expect(masked["masked"] as? Bool == true)
            // The search masks too; without customers.pii a fragment is refused, the whole number works.
            let listed = try await call(client, .get, "/v1/customers?phone=13800138000", marketing)
            #expect((listed.items.first?["phones"] as? [[String: Any]])?.first?["number"] as? String == "138****8000")
            #expect(try await call(client, .get, "/v1/customers?phone=0013", marketing).errorFields == ["phone"])
            #expect(try await call(client, .get, "/v1/customers?phone=%EF%BC%91%EF%BC%93", consultant).errorFields == ["phone"])
            #expect(try await call(client, .get, "/v1/customers?stage=0.5", consultant).errorFields == ["stage"])
            #expect(try await call(client, .get, "/v1/customers?phone=0013", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/customers?name=che", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/customers?name=ch", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/customers?name=jing", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/customers?name=x%25", consultant).items.isEmpty)
            #expect(try await call(client, .get, "/v1/customers?intentGrade=a,b&source=owner_referral", consultant).items.count == 1)
            #expect(try await call(client, .get, "/v1/customers?inPool=true", consultant).items.isEmpty)
            // Changes: only the owner (or a manager) writes; the version is checked; null clears.
            #expect(try await call(client, .patch, "/v1/customers/\(id)", second.token, ["intentGrade": "b"], ifMatch: "\"1\"").status == .notFound)
            #expect(try await call(client, .patch, "/v1/customers/\(id)", marketing, ["intentGrade": "b"], ifMatch: "\"1\"").status == .forbidden)
            #expect(try await call(client, .patch, "/v1/customers/\(id)", consultant, ["intentGrade": "b"], ifMatch: "\"7\"").status == .preconditionFailed)
            let patched = try await call(client, .patch, "/v1/customers/\(id)", consultant, ["intentGrade": NSNull(), "occupation": "Teacher"], ifMatch: "\"1\"")
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.etag == "\"2\"")
            let after = try #require(patched.body["customer"] as? [String: Any])
            #expect(after["intentGrade"] is NSNull || after["intentGrade"] == nil)
            #expect(after["occupation"] as? String == "Teacher")
            #expect((after["phones"] as? [Any])?.count == 2)
            // The audit trail never holds the full phone or ID number.
            let admin = try await signIn(client, "system.administrator")
            let audit = try await call(client, .get, "/v1/audit-entries?limit=500", admin)
            #expect(!audit.text.contains("13800138000") && !audit.text.contains("11010519491231002X"))
            #expect(audit.text.contains("customer.create"))
        }
        await world.database.close()
    }

    @Test func followUpsTimelineAndMergeKeepEveryHistoryRow() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let path = "/v1/projects/\(riverside)/customers"
            func create(_ body: [String: Any]) async throws -> String {
                let reply = try await call(client, .post, path, consultant, body)
                #expect(reply.status == .created, "\(reply.text)")
                return try #require((reply.body["customer"] as? [String: Any])?["id"] as? String)
            }
            let survivor = try await create(["name": "Zhou Min", "source": "walk_in", "phones": [["number": "13700000001"]]])
            let duplicate = try await create(["name": "Zhou Min", "source": "call", "phones": [["number": "13700000002"]],
                                              "email": "zhou@example.com", "occupation": "Doctor"])
            let tomorrow = LocalDate(Date().addingTimeInterval(86_400), in: TimeZone(identifier: "Asia/Shanghai")!).description
            for (customer, content) in [(survivor, "First visit"), (survivor, "Called back"), (duplicate, "Came with family")] {
                let followUp = try await client.execute(uri: "/v1/customers/\(customer)/follow-ups", method: .post, headers: headers(consultant),
                                                        body: try jsonBody(["kind": "visit", "content": content, "nextFollowUpOn": tomorrow])) { response in
                    try expectConforms(response, to: "POST", "/v1/customers/{id}/follow-ups")
                    return response.status
                }
                #expect(followUp == .created)
            }
            let badFollowUp = try await call(client, .post, "/v1/customers/\(survivor)/follow-ups", consultant,
                                             ["kind": "telepathy", "content": "?", "nextFollowUpOn": "2000-01-01"])
            #expect(badFollowUp.errorFields.sorted() == ["nextFollowUpOn"], "\(badFollowUp.text)")
            #expect(try await call(client, .post, "/v1/customers/\(survivor)/follow-ups", consultant,
                                   ["kind": "telepathy", "content": "?"]).errorFields == ["kind"])
            // Each next follow-up date became a task of the owner; the later follow-up closed the earlier one's.
            let tasks = try await call(client, .get, "/v1/me/tasks", consultant)
            #expect(tasks.items.filter { ($0["title"] as? String)?.hasPrefix("Follow up with Zhou Min") == true }.count == 2, "\(tasks.text)")
            let beforeMerge = try await call(client, .get, "/v1/customers/\(survivor)", consultant)
            #expect(beforeMerge.string("lastFollowUpAt") != nil)
            // Pages of the follow-ups, newest first.
            let page1 = try await call(client, .get, "/v1/customers/\(survivor)/follow-ups?limit=1", consultant)
            #expect(page1.items.first?["content"] as? String == "Called back")
            let cursor = try #require(page1.string("nextCursor"))
            let page2 = try await call(client, .get, "/v1/customers/\(survivor)/follow-ups?limit=1&cursor=\(cursor)", consultant)
            #expect(page2.items.first?["content"] as? String == "First visit")
            #expect(try await call(client, .get, "/v1/customers/\(survivor)/follow-ups?cursor=nonsense", consultant).errorFields == ["cursor"])

            let opportunity = try await call(client, .post, "/v1/customers/\(duplicate)/opportunities", consultant, [String: Any]())
            #expect(opportunity.status == .created, "\(opportunity.text)")
            // A consultant cannot merge; the manager can.
            #expect(try await call(client, .post, "/v1/customers/\(survivor)/merge", consultant, ["duplicateId": duplicate]).status == .forbidden)
            #expect(try await call(client, .post, "/v1/customers/\(survivor)/merge", manager, ["duplicateId": survivor]).errorFields == ["duplicateId"])
            let merged = try await client.execute(uri: "/v1/customers/\(survivor)/merge", method: .post, headers: headers(manager),
                                                  body: try jsonBody(["duplicateId": duplicate])) { response in
                try expectConforms(response, to: "POST", "/v1/customers/{id}/merge")
                #expect(response.status == .ok)
                return try response.jsonObject()
            }
            #expect((merged["phones"] as? [[String: Any]])?.compactMap { $0["number"] as? String } == ["13700000001", "13700000002"])
            #expect(merged["email"] as? String == "zhou@example.com")
            #expect(merged["source"] as? String == "walk_in")
            #expect(try await call(client, .get, "/v1/customers/\(duplicate)", manager).status == .notFound)
            #expect(try await call(client, .post, "/v1/customers/\(survivor)/merge", manager, ["duplicateId": duplicate]).errorFields == ["duplicateId"])
            // Every history row of both: three follow-ups, two creations and the merge.
            let timeline = try await client.execute(uri: "/v1/customers/\(survivor)/timeline", method: .get, headers: headers(consultant)) { response in
                try expectConforms(response, to: "GET", "/v1/customers/{id}/timeline")
                return try response.jsonObject()
            }
            let entries = try #require(timeline["items"] as? [[String: Any]])
            let followUps = entries.filter { $0["type"] as? String == "follow_up" }.compactMap { ($0["detail"] as? [String: Any])?["content"] as? String }
            #expect(Set(followUps) == ["First visit", "Called back", "Came with family"])
            let events = entries.filter { $0["type"] as? String == "ownership" }.compactMap { ($0["detail"] as? [String: Any])?["event"] as? String }
            #expect(events.sorted() == ["created", "created", "merged"])
            #expect(entries.contains { $0["type"] as? String == "opportunity" }, "the duplicate's opportunity history")
            let moved = try await call(client, .get, "/v1/customers/\(survivor)/opportunities", consultant)
            #expect(moved.items.count == 1, "\(moved.text)")
            #expect(merged["stage"] as? String == "first_visit")
            #expect(entries.first?["type"] as? String == "ownership", "newest first: the merge")
            let dates = entries.compactMap { $0["at"] as? String }
            #expect(dates == dates.sorted(by: >))
        }
        await world.database.close()
    }
}
