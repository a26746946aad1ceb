import EstateData
@testable import EstateInterface
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PQ
import Synchronization
import Testing

/// The clock the task routes read "today" from, set by the test.
final class TaskTestClock: Sendable {
    private let moment: Mutex<Date>

    init(_ text: String) {
        moment = Mutex(Self.instant(text))
    }

    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func set(_ text: String) { moment.withLock { $0 = Self.instant(text) } }
    var now: Date { moment.withLock { $0 } }
}

extension IdentityWorld {
    /// The API's routes with the task routes reading `clock` instead of the wall clock.
    func test<T>(clock: TaskTestClock, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var routes = RouteTable()
        for entry in api.routes.entries where !TaskController.paths.contains(entry.descriptor.path) {
            routes.add(entry.descriptor.method, entry.descriptor.path, access: entry.descriptor.access,
                       maxBodyBytes: entry.descriptor.maxBodyBytes, entry.handler)
        }
        TaskController(database: database, now: { clock.now }).register(in: &routes)
        #expect(Set(routes.descriptors.map(\.description)) == Set(api.routes.descriptors.map(\.description)))
        return try await Application(router: api.makeRouter(routes: routes)).test(.router, body)
    }

    /// A user with `role` at `unit` (the demo password), straight into the database: no demo user may
    /// grant a consultant's role (granters hand out only what they hold). Returns the id.
    func user(_ username: String, role: String, at unit: UUID, active: Bool = true) async throws -> UUID {
        let groupID = try await groupID()
        let hash = try await IdentityWorld.fastHasher.hash(DemoData.password)
        return try await database.unitOfWork { work in
            let user = User(groupID: groupID, id: UUIDv7.make(), orgUnitID: unit, username: username, displayName: username, active: active)
            try await work.users.insert(user, passwordHash: hash)
            _ = try await work.roles.grant(role, userID: user.id, orgUnitID: unit, groupID: groupID)
            return user.id
        }
    }
}

/// The spec, read once for this file (parsing it for every response is slow); read-only afterwards.
/// `nonisolated(unsafe)`: initialised once under the runtime's lock for globals, then only read; its
/// `[String: Any]` holds immutable Foundation values (strings, numbers, arrays, dictionaries).
nonisolated(unsafe) private let taskSpec = Result { try OpenAPISpec.load() }

/// Expects `response` to be what the spec documents for `method path`.
private func expectDocumented(_ response: TestResponse, _ method: String, _ path: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    let violations = try taskSpec.get().violations(of: response, for: method, path)
    #expect(violations.isEmpty, "\(method) \(path) → \(response.status.code): \(violations)", sourceLocation: sourceLocation)
}

/// The caller's own user id.
private func me(_ client: some TestClientProtocol, _ token: String) async throws -> UUID {
    let reply = try await call(client, .get, "/v1/me", token)
    let text = try #require((reply.body["user"] as? [String: Any])?["id"] as? String)
    return try #require(UUID(uuidString: text))
}

/// The titles of a task list, in order.
private func titles(_ reply: Reply) -> [String] {
    reply.items.compactMap { $0["title"] as? String }
}

/// GETs a list and checks the answer against the spec.
private func list(_ client: some TestClientProtocol, _ uri: String, _ token: String, spec path: String = "/v1/me/tasks") async throws -> Reply {
    try await client.execute(uri: uri, method: .get, headers: headers(token)) { (response: TestResponse) throws -> Reply in
        try expectDocumented(response, "GET", path)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: String(buffer: response.body))
    }
}

@Suite("Tasks: my list, the team's, and changes")
struct TaskAPITests {
    /// Tomorrow in Shanghai (the demo group's zone) on the wall clock: a due date the API accepts
    /// even when the local day turns between reading the clock and the request.
    static func tomorrowInShanghai() -> String {
        LocalDate(Date(), in: TimeZone(identifier: "Asia/Shanghai")!).adding(days: 1)!.description
    }

    @Test func myTasksAreTodayOverdueAndUpcomingAroundMidnightInTheGroupsTimeZone() async throws {
        let world = try await IdentityWorld.make()
        try await world.sql("UPDATE groups SET time_zone = 'Asia/Shanghai' WHERE code = 'demo'")
        // Noon of 25 February in Shanghai.
        let clock = TaskTestClock("2026-02-25T04:00:00Z")
        try await world.test(clock: clock) { client in
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            for (title, dueOn, dueTime) in [("A", "2026-02-27", nil), ("C", "2026-02-28", nil), ("B", "2026-02-28", "10:00"),
                                            ("D", "2026-03-01", nil), ("E", "2026-03-07", "18:30"), ("F", "2026-03-08", nil)] {
                var body: [String: Any] = ["title": title, "dueOn": dueOn]
                if let dueTime { body["dueTime"] = dueTime }
                let made = try await client.execute(uri: "/v1/tasks", method: .post, headers: headers(consultant),
                                                    body: try jsonBody(body)) { (response: TestResponse) throws -> [String: Any] in
                    try expectDocumented(response, "POST", "/v1/tasks")
                    #expect(response.status == .created)
                    #expect(response.headers[.eTag] == "\"1\"")
                    return try response.jsonObject()
                }
                #expect(made["kind"] as? String == "manual")
                #expect(made["status"] as? String == "open")
                #expect(made["dueOn"] as? String == dueOn)
                #expect(made["dueTime"] as? String == dueTime)
            }

            // One second before midnight of 28 February in Shanghai (15:59:59 UTC).
            clock.set("2026-02-28T15:59:59Z")
            let all = try await list(client, "/v1/me/tasks", consultant)
            #expect(all.status == .ok)
            #expect(all.string("today") == "2026-02-28")
            #expect(all.string("timeZone") == "Asia/Shanghai")
            // Due date, then time of day (a task without one last in its day), then id.
            #expect(titles(all) == ["A", "B", "C", "D", "E", "F"])
            #expect(all.items.map { $0["bucket"] as? String } == ["overdue", "today", "today", "upcoming", "upcoming", "later"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=overdue", consultant)) == ["A"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=today", consultant)) == ["B", "C"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=upcoming", consultant)) == ["D", "E"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=upcoming&days=1", consultant)) == ["D"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=upcoming&days=8", consultant)) == ["D", "E", "F"])

            // Midnight in Shanghai (16:00 UTC, still 28 February in UTC): yesterday's tasks are overdue.
            clock.set("2026-02-28T16:00:00Z")
            let afterMidnight = try await list(client, "/v1/me/tasks", consultant)
            #expect(afterMidnight.string("today") == "2026-03-01")
            #expect(afterMidnight.items.map { $0["bucket"] as? String } == ["overdue", "overdue", "overdue", "today", "upcoming", "upcoming"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=overdue", consultant)) == ["A", "B", "C"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=today", consultant)) == ["D"])
            #expect(titles(try await list(client, "/v1/me/tasks?due=upcoming", consultant)) == ["E", "F"])

            // The same instant for a group in UTC is still 28 February: the group's zone decides.
            try await world.sql("UPDATE groups SET time_zone = 'UTC' WHERE code = 'demo'")
            let inUTC = try await list(client, "/v1/me/tasks?due=today", consultant)
            #expect(inUTC.string("today") == "2026-02-28")
            #expect(titles(inUTC) == ["B", "C"])
            try await world.sql("UPDATE groups SET time_zone = 'Asia/Shanghai' WHERE code = 'demo'")

            // Pages of two follow the same order; the last full page's cursor leads to an empty one.
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await list(client, "/v1/me/tasks?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), consultant)
                seen += titles(page)
                cursor = page.string("nextCursor")
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == ["A", "B", "C", "D", "E", "F"])
            #expect(pages == 4)

            // Another user's list does not show them; bad parameters are 400s naming them.
            #expect(try await list(client, "/v1/me/tasks", manager).items.isEmpty)
            for (query, field) in [("due=tomorrow", "due"), ("days=0", "days"), ("days=91", "days"), ("days=x", "days"),
                                   ("cursor=abc", "cursor"), ("cursor=1.1.XYZ", "cursor"), ("limit=0", "limit"), ("limit=501", "limit")] {
                let bad = try await call(client, .get, "/v1/me/tasks?\(query)", consultant)
                #expect(bad.status == .badRequest && bad.errorFields == [field], "\(query): \(bad.text)")
            }
            // Due dates set by hand: from today (1 March in Shanghai) to a year ahead.
            let past = try await call(client, .post, "/v1/tasks", consultant, ["title": "Late", "dueOn": "2026-02-28"])
            #expect(past.status == .unprocessableContent && past.code == "due-date-out-of-range" && past.errorFields == ["dueOn"], "\(past.text)")
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "Far", "dueOn": "2027-03-03"]).code == "due-date-out-of-range")
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "Year 0", "dueOn": "0000-03-01"]).code == "due-date-out-of-range")
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "Today", "dueOn": "2026-03-01"]).status == .created)
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "Next year", "dueOn": "2027-03-02"]).status == .created)
            // Field errors, all at once.
            let bad = try await call(client, .post, "/v1/tasks", consultant, ["title": " ", "dueOn": "2026-02-30", "kind": "chores",
                                                                             "notes": "bell\u{7}"])
            #expect(bad.status == .badRequest && bad.errorFields.sorted() == ["dueOn", "kind", "notes", "title"], "\(bad.text)")
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "x", "dueOn": "2026-03-02", "dueTime": "24:00"]).errorFields == ["dueTime"])
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "x", "dueOn": "2026-03-02", "owner": "me"]).errorFields == ["owner"])
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["dueOn": "2026-03-02"]).errorFields == ["title"])
            // The cashier has no tasks at all.
            let cashier = try await signIn(client, "cashier")
            #expect(try await call(client, .get, "/v1/me/tasks", cashier).status == .forbidden)
            #expect(try await call(client, .post, "/v1/tasks", cashier, ["title": "x", "dueOn": "2026-03-02"]).status == .forbidden)
        }
        await world.database.close()
    }

    @Test func managersAssignTasksToTheirTeamSeeItsWorkloadAndReassign() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let city = try await world.unitID("shanghai")
        let clock = TaskTestClock("2026-03-02T02:00:00Z")  // 2 March, 10:00 in Shanghai
        try await world.test(clock: clock) { client in
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let consultantID = try await me(client, consultant)
            let managerID = try await me(client, manager)
            let secondID = try await world.user("second.consultant", role: "property_consultant", at: riverside)
            let second = try await signIn(client, "second.consultant")
            let lakeID = try await world.user("lake.consultant", role: "property_consultant", at: lakeside)
            let leaverID = try await world.user("leaver.consultant", role: "property_consultant", at: riverside, active: false)

            // The manager gives the consultant two tasks; the consultant makes one of their own.
            let given = try await call(client, .post, "/v1/tasks", manager, [
                "title": "Collect mortgage documents from Mr Li", "dueOn": "2026-03-03", "dueTime": "09:30",
                "kind": "mortgage_documents", "assigneeId": consultantID.uuidString, "notes": "Bank wants the income proof"])
            #expect(given.status == .created, "\(given.text)")
            #expect(uuid(given.body["assigneeId"]) == consultantID)
            #expect(uuid(given.body["createdBy"]) == managerID)
            #expect(uuid(given.body["orgUnitId"]) == riverside)
            #expect(given.string("bucket") == "upcoming")
            let givenID = try given.id()
            let today = try await call(client, .post, "/v1/tasks", manager, ["title": "Call the bank", "dueOn": "2026-03-02",
                                                                             "assigneeId": consultantID.uuidString])
            let todayID = try today.id()
            let own = try await call(client, .post, "/v1/tasks", consultant, ["title": "Send floor plans", "dueOn": "2026-03-02"])
            let ownID = try own.id()

            // Who may give whom a task.
            #expect(try await call(client, .post, "/v1/tasks", consultant, ["title": "x", "dueOn": "2026-03-03",
                                                                            "assigneeId": managerID.uuidString]).status == .forbidden)
            for stranger in [lakeID, leaverID, UUIDv7.make()] {
                let refused = try await call(client, .post, "/v1/tasks", manager, ["title": "x", "dueOn": "2026-03-03",
                                                                                  "assigneeId": stranger.uuidString])
                #expect(refused.status == .unprocessableContent && refused.code == "unknown-assignee" && refused.errorFields == ["assigneeId"],
                        "\(refused.text)")
            }
            #expect(try await call(client, .post, "/v1/tasks", manager, ["title": "x", "dueOn": "2026-03-03",
                                                                         "customerId": UUIDv7.make().uuidString]).code == "unknown-reference")

            // Who sees the manager's task: the assignee, the manager, the city's sales management; nobody else.
            let read = try await client.execute(uri: "/v1/tasks/\(givenID)", method: .get, headers: headers(consultant)) { (response: TestResponse) throws -> Reply in
                try expectDocumented(response, "GET", "/v1/tasks/{id}")
                return Reply(status: response.status, etag: response.headers[.eTag], body: try response.jsonObject(), text: response.text)
            }
            #expect(read.status == .ok && read.etag == "\"1\"")
            #expect(read.string("kind") == "mortgage_documents" && read.string("notes") == "Bank wants the income proof")
            let citySales = try await signIn(client, "city.sales.management")
            #expect(try await call(client, .get, "/v1/tasks/\(givenID)", citySales).status == .ok)
            let management = try await signIn(client, "group.management")
            let other = try await signIn(client, "admin", group: "other")
            for outsider in [second, management, other] {
                #expect(try await call(client, .get, "/v1/tasks/\(givenID)", outsider).status == .notFound)
                #expect(try await call(client, .post, "/v1/tasks/\(givenID)/complete", outsider).status == .notFound)
                #expect(try await call(client, .get, "/v1/tasks/\(givenID)/history", outsider).status == .notFound)
                #expect(try await call(client, .post, "/v1/tasks/\(givenID)/reschedule", outsider, ["dueOn": "2026-03-04"],
                                       ifMatch: "\"1\"").status == .notFound)
            }
            #expect(try await call(client, .get, "/v1/tasks/\(UUIDv7.make())", manager).status == .notFound)
            // The consultant may not move or cancel what the manager gave, nor reassign anything.
            #expect(try await call(client, .post, "/v1/tasks/\(givenID)/reschedule", consultant, ["dueOn": "2026-03-04"],
                                   ifMatch: "\"1\"").status == .forbidden)
            #expect(try await call(client, .post, "/v1/tasks/\(givenID)/cancel", consultant).status == .forbidden)
            #expect(try await call(client, .post, "/v1/tasks/\(ownID)/reassign", consultant, ["assigneeId": secondID.uuidString]).status == .forbidden)

            // A day later: the manager's team view counts open, overdue and due-today tasks per assignee.
            clock.set("2026-03-03T02:00:00Z")
            let team = try await list(client, "/v1/team/tasks", manager, spec: "/v1/team/tasks")
            #expect(team.status == .ok, "\(team.text)")
            #expect(team.string("today") == "2026-03-03")
            let assignees = team.body["assignees"] as? [[String: Any]] ?? []
            #expect(assignees.count == 1)
            #expect(uuid(assignees.first?["userId"]) == consultantID)
            #expect(assignees.first?["username"] as? String == "property.consultant")
            #expect(assignees.first?["open"] as? Int == 3)
            #expect(assignees.first?["overdue"] as? Int == 2)
            #expect(assignees.first?["dueToday"] as? Int == 1)
            #expect(titles(team) == ["Call the bank", "Send floor plans", "Collect mortgage documents from Mr Li"])
            #expect(titles(try await list(client, "/v1/team/tasks?due=overdue", manager, spec: "/v1/team/tasks")) == ["Call the bank", "Send floor plans"])
            #expect(titles(try await list(client, "/v1/team/tasks?due=today&orgUnitId=\(riverside)", manager, spec: "/v1/team/tasks"))
                    == ["Collect mortgage documents from Mr Li"])
            #expect(try await list(client, "/v1/team/tasks?assigneeId=\(secondID)", manager, spec: "/v1/team/tasks").items.isEmpty)
            let cityTeam = try await list(client, "/v1/team/tasks?orgUnitId=\(city)", citySales, spec: "/v1/team/tasks")
            #expect(cityTeam.items.count == 3)
            // Units out of the manager's reach, and callers without tasks.assign.
            #expect(try await call(client, .get, "/v1/team/tasks?orgUnitId=\(lakeside)", manager).status == .notFound)
            #expect(try await call(client, .get, "/v1/team/tasks?orgUnitId=\(city)", manager).status == .notFound)
            #expect(try await call(client, .get, "/v1/team/tasks?orgUnitId=\(UUIDv7.make())", manager).status == .notFound)
            #expect(try await call(client, .get, "/v1/team/tasks?orgUnitId=riverside", manager).errorFields == ["orgUnitId"])
            #expect(try await call(client, .get, "/v1/team/tasks", consultant).status == .forbidden)
            #expect(try await call(client, .get, "/v1/team/tasks", management).status == .forbidden)
            #expect(try await call(client, .get, "/v1/team/tasks", other).items.isEmpty)

            // Rescheduling needs If-Match; a stale one is 412; the date must not be past; the history keeps both dates.
            let path = "/v1/tasks/\(givenID)/reschedule"
            #expect(try await call(client, .post, path, manager, ["dueOn": "2026-03-05"]).status == .preconditionRequired)
            #expect(try await call(client, .post, path, manager, ["dueOn": "2026-03-05"], ifMatch: "\"7\"").status == .preconditionFailed)
            let past = try await call(client, .post, path, manager, ["dueOn": "2026-03-02"], ifMatch: "\"1\"")
            #expect(past.code == "due-date-out-of-range", "\(past.text)")
            #expect(try await call(client, .post, path, manager, ["dueOn": "2026-3-5"], ifMatch: "\"1\"").errorFields == ["dueOn"])
            #expect(try await call(client, .post, path, manager, ["dueOn": "2026-03-05", "dueTime": "7:00"], ifMatch: "\"1\"").errorFields == ["dueTime"])
            let moved = try await call(client, .post, path, manager, ["dueOn": "2026-03-05", "dueTime": "14:00", "note": "bank closed"],
                                       ifMatch: "\"1\"")
            #expect(moved.status == .ok && moved.etag == "\"2\"", "\(moved.text)")
            #expect(moved.string("dueOn") == "2026-03-05" && moved.string("dueTime") == "14:00" && moved.string("bucket") == "upcoming")
            // The same again changes nothing and keeps the version.
            #expect(try await call(client, .post, path, manager, ["dueOn": "2026-03-05", "dueTime": "14:00"], ifMatch: "\"2\"").etag == "\"2\"")
            // The consultant moves their own task.
            #expect(try await call(client, .post, "/v1/tasks/\(ownID)/reschedule", consultant, ["dueOn": "2026-03-04"], ifMatch: "\"1\"").status == .ok)

            // Reassigned to the second consultant: the first no longer sees it, the second does.
            let reassigned = try await call(client, .post, "/v1/tasks/\(givenID)/reassign", manager, ["assigneeId": secondID.uuidString])
            #expect(reassigned.status == .ok && reassigned.etag == "\"3\"", "\(reassigned.text)")
            #expect(try await call(client, .get, "/v1/tasks/\(givenID)", consultant).status == .notFound)
            #expect(try await call(client, .get, "/v1/tasks/\(givenID)", second).status == .ok)
            #expect(titles(try await list(client, "/v1/me/tasks", second)) == ["Collect mortgage documents from Mr Li"])
            for stranger in [lakeID, leaverID] {
                #expect(try await call(client, .post, "/v1/tasks/\(givenID)/reassign", manager, ["assigneeId": stranger.uuidString]).code == "unknown-assignee")
            }
            let history = try await client.execute(uri: "/v1/tasks/\(givenID)/history", method: .get, headers: headers(second)) { (response: TestResponse) throws -> [[String: Any]] in
                try expectDocumented(response, "GET", "/v1/tasks/{id}/history")
                return try response.jsonObject()["items"] as? [[String: Any]] ?? []
            }
            #expect(history.map { $0["event"] as? String } == ["created", "rescheduled", "reassigned"])
            #expect(uuid(history[0]["toAssigneeId"]) == consultantID)
            #expect(history[0]["toDueOn"] as? String == "2026-03-03" && history[0]["toDueTime"] as? String == "09:30")
            #expect(history[1]["fromDueOn"] as? String == "2026-03-03" && history[1]["toDueOn"] as? String == "2026-03-05")
            #expect(history[1]["fromDueTime"] as? String == "09:30" && history[1]["toDueTime"] as? String == "14:00")
            #expect(history[1]["note"] as? String == "bank closed")
            #expect(history[1]["actor"] as? String == "user:\(managerID.uuidString.lowercased())")
            #expect(uuid(history[2]["fromAssigneeId"]) == consultantID)
            #expect(uuid(history[2]["toAssigneeId"]) == secondID)

            // Completing: done is final (409 with the status), and leaves every list.
            let done = try await call(client, .post, "/v1/tasks/\(todayID)/complete", consultant)
            #expect(done.status == .ok && done.string("status") == "done" && done.body["bucket"] == nil, "\(done.text)")
            #expect(done.string("completedBy") == "user:\(consultantID.uuidString.lowercased())")
            try await client.execute(uri: "/v1/tasks/\(todayID)/complete", method: .post, headers: headers(consultant)) { (response: TestResponse) throws in
                try expectDocumented(response, "POST", "/v1/tasks/{id}/complete")
                #expect(response.status == .conflict && response.contentType == "application/problem+json")
                let problem = try response.problem()
                #expect(problem.code == "task-not-open" && problem.type == "urn:estate:problem:task-not-open")
                #expect(problem.currentStatus == "done")
            }
            #expect(try await call(client, .post, "/v1/tasks/\(todayID)/reschedule", manager, ["dueOn": "2026-03-09"], ifMatch: "\"2\"").code == "task-not-open")
            #expect(titles(try await list(client, "/v1/me/tasks", consultant)) == ["Send floor plans"])
            // The manager cancels the consultant's own task.
            let cancelled = try await call(client, .post, "/v1/tasks/\(ownID)/cancel", manager)
            #expect(cancelled.string("status") == "cancelled", "\(cancelled.text)")
            #expect(try await list(client, "/v1/me/tasks", consultant).items.isEmpty)
            let workload = try await list(client, "/v1/team/tasks", manager, spec: "/v1/team/tasks").body["assignees"] as? [[String: Any]] ?? []
            #expect(workload.map { $0["username"] as? String } == ["second.consultant"])
        }
        let audited = try await world.database.unitOfWork { work in
            try await work.audit.entries(groupID: try await world.groupID(), filter: .init(objectType: "task"), beforeSequence: nil, limit: 50)
        }
        #expect(Set(audited.map(\.event.action)) == ["task.create", "task.reschedule", "task.reassign", "task.complete", "task.cancel"])
        #expect(audited.count == 8)
        await world.database.close()
    }

    @Test func followUpDatesMakeOneTaskEachThatFollowsTheCustomersOwner() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let clock = TaskTestClock("2026-03-02T02:00:00Z")
        try await world.test(clock: clock) { client in
            let consultant = try await signIn(client, "property.consultant")
            let consultantID = try await me(client, consultant)
            let secondID = try await world.user("second.consultant", role: "property_consultant", at: riverside)
            let second = try await signIn(client, "second.consultant")
            let groupID = try await world.groupID()
            let customer = try await world.database.unitOfWork { work -> Customer in
                let project = try #require(try await work.orgUnits.find(groupID: groupID, id: riverside))
                let customer = Customer(groupID: groupID, id: UUIDv7.make(), projectID: riverside, projectPath: project.path,
                                        profile: CustomerProfile(name: "Wang Fang", source: "walk_in"), ownerID: consultantID,
                                        createdBy: consultantID)
                try await work.customers.insert(customer)
                return customer
            }
            // A follow-up asks for the next one on 4 March; recording it twice makes one task.
            let followUp = UUIDv7.make(), actor = "user:\(consultantID.uuidString.lowercased())"
            for _ in 1...2 {
                try await world.database.unitOfWork { work in
                    try await work.tasks.createForFollowUp(groupID: groupID, customerID: customer.id, projectID: riverside, assigneeID: consultantID,
                                                           followUpID: followUp, dueOn: LocalDate("2026-03-04")!, title: "Follow up with Wang Fang",
                                                           actor: actor)
                }
            }
            let mine = try await list(client, "/v1/me/tasks", consultant)
            #expect(titles(mine) == ["Follow up with Wang Fang"])
            let task = try #require(mine.items.first)
            #expect(task["kind"] as? String == "follow_up")
            #expect(uuid(task["customerId"]) == customer.id)
            #expect(task["createdBy"] == nil)
            #expect((task["source"] as? [String: Any])?["type"] as? String == "follow_up")
            #expect(uuid((task["source"] as? [String: Any])?["id"]) == followUp)
            let taskID = try #require(uuid(task["id"]))
            // Generated: the assignee may move it.
            #expect(try await call(client, .post, "/v1/tasks/\(taskID)/reschedule", consultant, ["dueOn": "2026-03-05"], ifMatch: "\"1\"").status == .ok)
            // A manual task about the same customer stays with whoever has it.
            let manual = try await call(client, .post, "/v1/tasks", consultant, ["title": "Print the brochure for Wang Fang", "dueOn": "2026-03-06",
                                                                               "customerId": customer.id.uuidString])
            #expect(manual.status == .created && uuid(manual.body["customerId"]) == customer.id, "\(manual.text)")

            // The customer goes to the second consultant: the open follow-up task goes along.
            let moved = try await world.database.unitOfWork { work in
                try await work.tasks.reassignOpenTasks(groupID: groupID, customerID: customer.id, to: secondID, actor: "system")
            }
            #expect(moved == 1)
            #expect(titles(try await list(client, "/v1/me/tasks", consultant)) == ["Print the brochure for Wang Fang"])
            #expect(titles(try await list(client, "/v1/me/tasks", second)) == ["Follow up with Wang Fang"])
            #expect(try await world.database.unitOfWork { work in
                try await work.tasks.reassignOpenTasks(groupID: groupID, customerID: customer.id, to: secondID, actor: "system")
            } == 0)
            let history = try await call(client, .get, "/v1/tasks/\(taskID)/history", second)
            #expect(history.items.map { $0["event"] as? String } == ["created", "rescheduled", "reassigned"])
            #expect(history.items.last?["note"] as? String == "the customer was reassigned")

            // The next follow-up with the customer completes the pending one and asks for another.
            let next = UUIDv7.make()
            let completed = try await world.database.unitOfWork { work in
                let done = try await work.tasks.completeFollowUpTasks(groupID: groupID, customerID: customer.id, except: next, actor: "system")
                try await work.tasks.createForFollowUp(groupID: groupID, customerID: customer.id, projectID: riverside, assigneeID: secondID,
                                                       followUpID: next, dueOn: LocalDate("2026-03-10")!, title: "  ", actor: "system")
                return done
            }
            #expect(completed == 1)
            let after = try await list(client, "/v1/me/tasks", second)
            #expect(after.items.map { $0["dueOn"] as? String } == ["2026-03-10"])
            #expect(titles(after) == ["Follow up"])
            #expect(try await call(client, .get, "/v1/tasks/\(taskID)", second).string("status") == "done")
            #expect(try await world.database.unitOfWork { work in
                try await work.tasks.completeFollowUpTasks(groupID: groupID, customerID: customer.id, except: next, actor: "system")
            } == 0)
        }
        // The history is append-only.
        await #expect(throws: (any Error).self) { try await world.sql("DELETE FROM task_history") }
        await world.database.close()
    }
}
