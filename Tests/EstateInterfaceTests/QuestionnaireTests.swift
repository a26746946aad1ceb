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

/// Questionnaire fixtures shared by the tests (and the authorization matrices).
enum QuestionnaireFixtures {
    static func options(_ pairs: [(String, String)]) -> [[String: Any]] { pairs.map { ["code": $0.0, "label": $0.1] } }

    /// The visit survey: required single choice `heard`, multiple choice `likes`, required 1–5 `score`, free text `remarks`.
    static var visitQuestions: [[String: Any]] { [
        ["key": "heard", "kind": "single_choice", "text": "How did you hear of us?", "required": true,
         "options": options([("online", "Online"), ("friend", "A friend"), ("outdoor", "Outdoor ads")])],
        ["key": "likes", "kind": "multiple_choice", "text": "What do you like?",
         "options": options([("school", "School"), ("transport", "Transport"), ("price", "Price"), ("view", "View")])],
        ["key": "score", "kind": "rating", "text": "Your overall impression", "required": true, "scale": ["min": 1, "max": 5]],
        ["key": "remarks", "kind": "free_text", "text": "Anything else?"],
    ] }

    static func visit(code: String = "visit") -> [String: Any] {
        ["code": code, "title": "Visit survey", "type": "visit", "questions": visitQuestions]
    }

    /// A body of answers to the visit survey.
    static func answers(_ heard: String, _ likes: [String]?, _ score: Int, _ remarks: String?) -> [[String: Any]] {
        var answers: [[String: Any]] = [["questionKey": "heard", "options": [heard]], ["questionKey": "score", "rating": score]]
        if let likes { answers.append(["questionKey": "likes", "options": likes]) }
        if let remarks { answers.append(["questionKey": "remarks", "text": remarks]) }
        return answers
    }

    static func userID(_ world: IdentityWorld, _ username: String) async throws -> User {
        try await world.database.unitOfWork { work in
            guard let user = try await work.users.credentials(groupCode: DemoData.groupCode, username: username)?.user else {
                throw Harness.Failure("no user \(username)")
            }
            return user
        }
    }

    /// A customer of `project` owned by `owner`, straight into the database (customer routes are another part's).
    static func customer(_ world: IdentityWorld, project: UUID, ownerID: UUID, name: String) async throws -> UUID {
        try await world.database.unitOfWork { work in
            guard let user = try await work.users.find(groupID: try await world.groupID(), id: ownerID)?.user,
                  let unit = try await work.orgUnits.find(groupID: user.groupID, id: project) else {
                throw Harness.Failure("no owner or project")
            }
            let customer = Customer(groupID: user.groupID, id: UUIDv7.make(), projectID: unit.id, projectPath: unit.path,
                                    profile: CustomerProfile(name: name, source: "walk_in"), ownerID: user.id, createdBy: user.id)
            try await work.customers.insert(customer)
            return customer.id
        }
    }

    /// Valid bodies of the questionnaire routes with an id, for the authorization matrices.
    static var matrixBodies: [String: [String: Any]] {
        var definition = visit(code: "taken-over")
        let create = definition
        definition.removeValue(forKey: "code")
        return ["POST /v1/projects/{id}/questionnaires": create, "PUT /v1/questionnaires/{id}/definition": definition,
                "POST /v1/customers/{id}/questionnaire-responses": ["questionnaireId": "0190b8a1-7b2c-7000-8000-000000000001",
                                                                    "answers": [["questionKey": "score", "rating": 3]]]]
    }

    /// A questionnaire of `project`, straight into the database.
    static func questionnaire(_ work: UnitOfWork, groupID: UUID, project: UUID, code: String) async throws -> UUID {
        let definition = QuestionnaireDefinition(title: "Visit", type: "visit", questions: [
            Question(key: "score", kind: .rating, text: "Score", required: true, scale: RatingScale(min: 1, max: 5)),
        ])
        let stored = StoredQuestionnaire(groupID: groupID, id: UUIDv7.make(), projectID: project, code: code, title: "Visit", type: "visit")
        try await work.questionnaires.insert(stored, definition: definition, publishedBy: "system")
        return stored.id
    }
}

/// Sends a request and checks the answer against the spec's description of `template`.
private func send(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ template: String, _ token: String,
                  _ body: Any? = nil, ifMatch: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reply {
    let buffer: ByteBuffer? = try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
    return try await client.execute(uri: uri, method: method, headers: headers(token, ifMatch: ifMatch), body: buffer) { (response: TestResponse) throws -> Reply in
        try expectConforms(response, to: method.rawValue, template, sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, etag: response.headers[.eTag], body: object, text: String(buffer: response.body))
    }
}

private extension Reply {
    var questions: [[String: Any]] { body["questions"] as? [[String: Any]] ?? [] }
    var definition: [String: Any] { body["definition"] as? [String: Any] ?? [:] }
    func question(_ index: Int) -> [String: Any] { index < questions.count ? questions[index] : [:] }
}

private func options(_ question: [String: Any]) -> [[String: Any]] { question["options"] as? [[String: Any]] ?? [] }
private func distribution(_ question: [String: Any]) -> [[String: Any]] { question["distribution"] as? [[String: Any]] ?? [] }

@Suite("Questionnaires")
struct QuestionnaireTests {
    typealias F = QuestionnaireFixtures

    @Test func definitionsVersionsAndValidation() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        try await world.test { client in
            let marketing = try await signIn(client, "city.marketing")
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let other = try await signIn(client, "admin", group: "other")
            let path = "/v1/projects/\(riverside)/questionnaires"
            let template = "/v1/projects/{id}/questionnaires"

            // Creation: version 1, labels and texts trimmed.
            var body = F.visit()
            body["title"] = "  Visit survey "
            let created = try await send(client, .post, path, template, marketing, body)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.etag == "\"1\"")
            #expect(created.string("code") == "visit" && created.string("title") == "Visit survey" && created.string("type") == "visit")
            #expect(created.body["currentVersion"] as? Int == 1 && created.body["version"] as? Int == 1 && created.body["active"] as? Bool == true)
            #expect(created.definition["number"] as? Int == 1)
            #expect((created.definition["publishedBy"] as? String)?.hasPrefix("user:") == true)
            let questions = created.definition["questions"] as? [[String: Any]] ?? []
            #expect(questions.map { $0["key"] as? String } == ["heard", "likes", "score", "remarks"])
            #expect(questions.map { $0["required"] as? Bool } == [true, false, true, false])
            #expect(options(questions[0]).map { $0["code"] as? String } == ["online", "friend", "outdoor"])
            #expect(questions[2]["scale"] as? [String: Int] == ["min": 1, "max": 5])
            #expect(questions[2]["options"] == nil && questions[3]["options"] == nil && questions[3]["scale"] == nil)
            let id = try created.id()

            // Only marketing defines questionnaires; codes are unique per project.
            #expect(try await send(client, .post, path, template, consultant, F.visit(code: "x1")).status == .forbidden)
            #expect(try await send(client, .post, path, template, manager, F.visit(code: "x1")).status == .forbidden)
            #expect(try await send(client, .post, path, template, marketing, F.visit()).code == "code-taken")
            #expect(try await send(client, .post, "/v1/projects/\(lakeside)/questionnaires", template, marketing, F.visit()).status == .created)

            // Every broken rule at once, each naming its field.
            let bad = try await send(client, .post, path, template, marketing, [
                "code": "Bad Code", "title": " ", "type": "visit", "questions": [
                    ["key": "a", "kind": "free_text", "text": "A"],
                    ["key": "a", "kind": "single_choice", "text": "B", "options": F.options([("x", "X")])],
                    ["key": "c", "kind": "rating", "text": "C", "scale": ["min": 5, "max": 5]],
                    ["key": "d", "kind": "free_text", "text": "D", "scale": ["min": 1, "max": 5]],
                    ["key": "e", "kind": "multiple_choice", "text": "E", "options": F.options([("x", "X"), ("x", "Y"), ("Z", "Z")])],
                ]])
            #expect(bad.status == .badRequest)
            #expect(bad.errorFields == ["code", "title", "questions[1].key", "questions[1].options", "questions[2].scale.max",
                                        "questions[3].scale", "questions[4].options[1].code", "questions[4].options[2].code"], "\(bad.text)")
            func refusal(_ change: (inout [String: Any]) -> Void) async throws -> [String] {
                var body = F.visit(code: "x2")
                change(&body)
                return try await send(client, .post, path, template, marketing, body).errorFields
            }
            #expect(try await refusal { $0["type"] = "open_house" } == ["type"])
            #expect(try await refusal { $0["questions"] = [] } == ["questions"])
            #expect(try await refusal { $0["questions"] = [["key": "a", "kind": "essay", "text": "A"]] } == ["questions[0].kind"])
            #expect(try await refusal { $0["questions"] = [["key": "a", "kind": "free_text", "text": "A", "colour": "red"]] } == ["questions[0].colour"])
            #expect(try await refusal { $0["questions"] = [["key": "a", "kind": "rating", "text": "A", "scale": ["min": 0, "max": 101]]] }
                    == ["questions[0].scale.max"])
            #expect(try await refusal { $0["questions"] = [["key": "a", "kind": "free_text"]] } == ["questions[0].text"])
            #expect(try await refusal { $0["version"] = 2 } == ["version"])

            // Reading: the consultant sees the project's questionnaires, not lakeside's, nor another group.
            let listed = try await send(client, .get, path, template, consultant)
            #expect(listed.items.map { $0["code"] as? String } == ["visit"])
            #expect(listed.items.first?["definition"] == nil)
            #expect(try await send(client, .get, "\(path)?active=false", template, consultant).items.isEmpty)
            #expect(try await send(client, .get, "/v1/projects/\(lakeside)/questionnaires", template, consultant).status == .notFound)
            #expect(try await send(client, .get, path, template, other).status == .notFound)
            let one = "/v1/questionnaires/\(id)"
            let read = try await send(client, .get, one, "/v1/questionnaires/{id}", consultant)
            #expect(read.status == .ok && read.etag == "\"1\"" && read.definition["number"] as? Int == 1)
            #expect(try await send(client, .get, one, "/v1/questionnaires/{id}", other).status == .notFound)
            #expect(try await send(client, .get, "/v1/questionnaires/\(UUIDv7.make())", "/v1/questionnaires/{id}", consultant).status == .notFound)

            // A new version: If-Match required, the body checked first, then the version.
            let definition = "\(one)/definition"
            let v2: [String: Any] = ["title": "Visit survey 2026", "type": "satisfaction", "questions": [
                ["key": "heard", "kind": "single_choice", "text": "Where did you hear of us?", "required": true,
                 "options": F.options([("agency", "An agency"), ("online", "Online ads"), ("friend", "A friend")])],
                ["key": "score", "kind": "rating", "text": "How likely are you to recommend us?", "required": true, "scale": ["min": 0, "max": 10]],
            ]]
            let put = "/v1/questionnaires/{id}/definition"
            #expect(try await send(client, .put, definition, put, marketing, v2).status == .preconditionRequired)
            #expect(try await send(client, .put, definition, put, marketing, ["title": "", "type": "visit", "questions": []],
                                   ifMatch: "\"9\"").errorFields == ["title", "questions"])
            #expect(try await send(client, .put, definition, put, marketing, v2, ifMatch: "\"9\"").status == .preconditionFailed)
            #expect(try await send(client, .put, definition, put, consultant, v2, ifMatch: "\"1\"").status == .forbidden)
            #expect(try await send(client, .put, definition, put, other, v2, ifMatch: "\"1\"").status == .notFound)
            var unknownType = v2
            unknownType["type"] = "open_house"
            #expect(try await send(client, .put, definition, put, marketing, unknownType, ifMatch: "\"1\"").errorFields == ["type"])
            let published = try await send(client, .put, definition, put, marketing, v2, ifMatch: "\"1\"")
            #expect(published.status == .ok, "\(published.text)")
            #expect(published.etag == "\"2\"")
            #expect(published.body["currentVersion"] as? Int == 2 && published.string("title") == "Visit survey 2026")
            #expect(published.string("type") == "satisfaction")
            #expect(published.definition["number"] as? Int == 2)
            #expect((published.definition["questions"] as? [[String: Any]])?.map { $0["key"] as? String } == ["heard", "score"])

            // Old versions are kept and readable; the current one is the default.
            let first = try await send(client, .get, "\(one)?version=1", "/v1/questionnaires/{id}", consultant)
            #expect(first.definition["number"] as? Int == 1 && first.definition["title"] as? String == "Visit survey")
            #expect((first.definition["questions"] as? [[String: Any]])?.count == 4)
            #expect(first.body["currentVersion"] as? Int == 2 && first.etag == "\"2\"")
            #expect(try await send(client, .get, one, "/v1/questionnaires/{id}", consultant).definition["number"] as? Int == 2)
            #expect(try await send(client, .get, "\(one)?version=3", "/v1/questionnaires/{id}", consultant).status == .notFound)
            #expect(try await send(client, .get, "\(one)?version=0", "/v1/questionnaires/{id}", consultant).errorFields == ["version"])
            #expect(try await send(client, .get, "\(one)?version=two", "/v1/questionnaires/{id}", consultant).errorFields == ["version"])

            // The same definition again changes nothing; only `active` changes without a new version.
            let same = try await send(client, .put, definition, put, marketing, v2, ifMatch: "\"2\"")
            #expect(same.status == .ok && same.etag == "\"2\"" && same.body["currentVersion"] as? Int == 2)
            var stop = v2
            stop["active"] = false
            let stopped = try await send(client, .put, definition, put, marketing, stop, ifMatch: "\"2\"")
            #expect(stopped.etag == "\"3\"" && stopped.body["currentVersion"] as? Int == 2 && stopped.body["active"] as? Bool == false)
            #expect(try await send(client, .get, "\(path)?active=false", template, consultant).items.map { $0["code"] as? String } == ["visit"])

            // The versions table is append-only.
            await #expect(throws: (any Error).self) {
                try await world.sql("UPDATE questionnaire_versions SET published_by = 'someone'")
            }
            await #expect(throws: (any Error).self) {
                try await world.sql("DELETE FROM questionnaire_versions")
            }

            // Audited: create, publish, update.
            let management = try await signIn(client, "group.management")
            let audit = try await call(client, .get, "/v1/audit-entries?objectType=questionnaire&objectId=\(id)", management)
            #expect(audit.items.compactMap { $0["action"] as? String } == ["questionnaire.update", "questionnaire.publish", "questionnaire.create"],
                    "\(audit.text)")
        }
        await world.database.close()
    }

    /// Seven responses with known answers → exact counts, percentages and averages.
    @Test func statisticsExactOnAKnownAnswerSet() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let consultantUser = try await F.userID(world, "property.consultant")
        var made: [UUID] = []
        for index in 1...7 {
            made.append(try await F.customer(world, project: riverside, ownerID: consultantUser.id, name: "Customer \(index)"))
        }
        let customers = made
        @Sendable func responses() -> [[[String: Any]]] { [
            F.answers("online", ["school", "price"], 5, "Great view"),
            F.answers("online", ["transport"], 4, nil),
            F.answers("friend", ["school"], 4, "ok"),
            F.answers("outdoor", nil, 3, nil),
            F.answers("online", ["school", "transport", "price"], 2, "too far from the metro"),
            F.answers("friend", ["price"], 5, nil),
            F.answers("online", nil, 3, "  fine\n "),
        ] }
        try await world.test { client in
            let marketing = try await signIn(client, "city.marketing")
            let consultant = try await signIn(client, "property.consultant")
            let created = try await send(client, .post, "/v1/projects/\(riverside)/questionnaires", "/v1/projects/{id}/questionnaires",
                                         marketing, F.visit())
            let id = try created.id()
            let template = "/v1/customers/{id}/questionnaire-responses"
            for (customer, answers) in zip(customers, responses()) {
                let reply = try await send(client, .post, "/v1/customers/\(customer)/questionnaire-responses", template, consultant,
                                           ["questionnaireId": id.uuidString, "answers": answers])
                #expect(reply.status == .created, "\(reply.text)")
            }
            // The last response as stored: answers in the definition's order, text trimmed.
            let listed = try await send(client, .get, "/v1/customers/\(customers[6])/questionnaire-responses", template, consultant)
            let stored = try #require(listed.items.first)
            #expect(listed.items.count == 1)
            #expect(stored["version"] as? Int == 1 && (stored["recordedBy"] as? String).flatMap(UUID.init(uuidString:)) == consultantUser.id)
            let answers = stored["answers"] as? [[String: Any]] ?? []
            #expect(answers.map { $0["questionKey"] as? String } == ["heard", "score", "remarks"])
            #expect(answers.map { $0["kind"] as? String } == ["single_choice", "rating", "free_text"])
            #expect(answers[0]["options"] as? [String] == ["online"] && answers[1]["rating"] as? Int == 3 && answers[2]["text"] as? String == "fine")

            var readers = [consultant, marketing]
            for username in ["sales.manager", "group.management", "cashier"] { readers.append(try await signIn(client, username)) }
            for token in readers {
                let statistics = try await send(client, .get, "/v1/questionnaires/\(id)/statistics", "/v1/questionnaires/{id}/statistics", token)
                #expect(statistics.status == .ok, "\(statistics.text)")
                #expect(statistics.body["responses"] as? Int == 7)
                #expect(statistics.string("timeZone") == "Asia/Shanghai")
                #expect(statistics.body["from"] == nil && statistics.body["to"] == nil)
                #expect((statistics.body["questionnaires"] as? [[String: Any]])?.map { $0["code"] as? String } == ["visit"])
                #expect(statistics.questions.map { $0["key"] as? String } == ["heard", "likes", "score", "remarks"])
                let heard = statistics.question(0)
                #expect(heard["kind"] as? String == "single_choice" && heard["respondents"] as? Int == 7)
                #expect(options(heard).map { $0["code"] as? String } == ["online", "friend", "outdoor"])
                #expect(options(heard).map { $0["label"] as? String } == ["Online", "A friend", "Outdoor ads"])
                #expect(options(heard).map { $0["count"] as? Int } == [4, 2, 1])
                #expect(options(heard).map { $0["percent"] as? String } == ["57.14", "28.57", "14.29"])
                let likes = statistics.question(1)
                #expect(likes["respondents"] as? Int == 5)
                #expect(options(likes).map { $0["count"] as? Int } == [3, 2, 3, 0])
                #expect(options(likes).map { $0["percent"] as? String } == ["60.00", "40.00", "60.00", "0.00"])
                let score = statistics.question(2)
                #expect(score["respondents"] as? Int == 7 && score["average"] as? String == "3.71")
                #expect(score["scale"] as? [String: Int] == ["min": 1, "max": 5])
                #expect(distribution(score).map { $0["value"] as? Int } == [1, 2, 3, 4, 5])
                #expect(distribution(score).map { $0["count"] as? Int } == [0, 1, 2, 2, 2])
                #expect(distribution(score).map { $0["percent"] as? String } == ["0.00", "14.29", "28.57", "28.57", "28.57"])
                #expect(score["options"] == nil)
                let remarks = statistics.question(3)
                #expect(remarks["kind"] as? String == "free_text" && remarks["respondents"] as? Int == 4)
                #expect(remarks["options"] == nil && remarks["distribution"] == nil && remarks["average"] == nil)
            }
            // The same through the combined route with one id.
            let combined = try await send(client, .get, "/v1/questionnaire-statistics?ids=\(id)", "/v1/questionnaire-statistics", consultant)
            #expect(combined.body["responses"] as? Int == 7 && combined.question(2)["average"] as? String == "3.71")
            // Statistics show no texts.
            #expect(!combined.text.contains("Great view"))
        }
        await world.database.close()
    }

    @Test func versionsCombinedStatisticsAndPeriods() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let consultantUser = try await F.userID(world, "property.consultant")
        var made: [UUID] = []
        for index in 1...4 {
            made.append(try await F.customer(world, project: riverside, ownerID: consultantUser.id, name: "Customer \(index)"))
        }
        let customers = made
        try await world.test { client in
            let marketing = try await signIn(client, "city.marketing")
            let consultant = try await signIn(client, "property.consultant")
            let projectPath = "/v1/projects/\(riverside)/questionnaires"
            let a = try await send(client, .post, projectPath, "/v1/projects/{id}/questionnaires", marketing, F.visit(code: "visit-a")).id()
            let b = try await send(client, .post, projectPath, "/v1/projects/{id}/questionnaires", marketing, [
                "code": "satisfaction", "title": "Satisfaction", "type": "satisfaction", "questions": [
                    ["key": "score", "kind": "rating", "text": "How satisfied are you?", "required": true, "scale": ["min": 1, "max": 5]],
                    ["key": "heard", "kind": "single_choice", "text": "Heard?", "options": F.options([("friend", "Friend"), ("tv", "TV")])],
                ],
            ]).id()
            func respond(_ customer: Int, _ questionnaire: UUID, _ at: String, _ answers: [[String: Any]], version: Int? = nil) async throws -> Reply {
                var body: [String: Any] = ["questionnaireId": questionnaire.uuidString, "answeredAt": at, "answers": answers]
                if let version { body["version"] = version }
                return try await send(client, .post, "/v1/customers/\(customers[customer])/questionnaire-responses",
                                      "/v1/customers/{id}/questionnaire-responses", consultant, body)
            }
            // Version 1 of A: one answer late on 31 March and one early on 1 April, Shanghai time.
            #expect(try await respond(0, a, "2026-03-31T23:30:00+08:00", F.answers("online", nil, 4, nil)).status == .created)
            #expect(try await respond(1, a, "2026-03-31T16:10:00Z", F.answers("friend", nil, 5, nil)).status == .created)
            // Version 2 renames `online`, adds `agency`, drops `outdoor` and scores 0–10.
            let v2: [String: Any] = ["title": "Visit survey", "type": "visit", "questions": [
                ["key": "heard", "kind": "single_choice", "text": "Where did you hear of us?", "required": true,
                 "options": F.options([("agency", "An agency"), ("online", "Online ads"), ("friend", "A friend")])],
                ["key": "score", "kind": "rating", "text": "How likely are you to recommend us?", "required": true, "scale": ["min": 0, "max": 10]],
            ]]
            #expect(try await send(client, .put, "/v1/questionnaires/\(a)/definition", "/v1/questionnaires/{id}/definition", marketing, v2,
                                   ifMatch: "\"1\"").status == .ok)
            let current = try await respond(2, a, "2026-04-02T10:00:00+08:00", F.answers("agency", nil, 9, nil))
            #expect(current.status == .created && current.body["version"] as? Int == 2)
            // `outdoor` is no option of version 2, but version 1 can still be answered.
            #expect(try await respond(3, a, "2026-04-03T10:00:00+08:00", F.answers("outdoor", nil, 2, nil)).errorFields == ["answers[0].options[0]"])
            #expect(try await respond(3, a, "2026-04-03T10:00:00+08:00", F.answers("outdoor", nil, 2, nil), version: 1).body["version"] as? Int == 1)
            #expect(try await respond(0, b, "2026-04-05T09:00:00+08:00", [["questionKey": "score", "rating": 1], ["questionKey": "heard", "options": ["tv"]]])
                    .status == .created)
            #expect(try await respond(1, b, "2026-04-06T09:00:00+08:00", [["questionKey": "score", "rating": 2], ["questionKey": "heard", "options": ["friend"]]])
                    .status == .created)

            func statistics(_ query: String) async throws -> Reply {
                let reply = try await send(client, .get, "/v1/questionnaires/\(a)/statistics\(query)", "/v1/questionnaires/{id}/statistics", consultant)
                #expect(reply.status == .ok, "\(reply.text)")
                return reply
            }
            func keys(_ reply: Reply) -> [String] {
                reply.questions.map { "\($0["key"] as? String ?? ""):\($0["kind"] as? String ?? "")" }
            }
            // Every version of A: the newest version's questions first; ratings on another scale apart.
            let all = try await statistics("")
            #expect(all.body["responses"] as? Int == 4)
            #expect(keys(all) == ["heard:single_choice", "score:rating", "likes:multiple_choice", "score:rating", "remarks:free_text"])
            let heard = all.question(0)
            #expect(heard["text"] as? String == "Where did you hear of us?" && heard["respondents"] as? Int == 4)
            #expect(options(heard).map { $0["code"] as? String } == ["agency", "online", "friend", "outdoor"])
            #expect(options(heard).map { $0["label"] as? String } == ["An agency", "Online ads", "A friend", "Outdoor ads"])
            #expect(options(heard).map { $0["count"] as? Int } == [1, 1, 1, 1])
            #expect(options(heard).map { $0["percent"] as? String } == ["25.00", "25.00", "25.00", "25.00"])
            #expect(all.question(1)["scale"] as? [String: Int] == ["min": 0, "max": 10])
            #expect(all.question(1)["average"] as? String == "9.00" && distribution(all.question(1)).count == 11)
            #expect(distribution(all.question(1))[9]["percent"] as? String == "100.00")
            let likes = all.question(2)
            #expect(likes["respondents"] as? Int == 0 && options(likes).map { $0["count"] as? Int } == [0, 0, 0, 0])
            #expect(options(likes).allSatisfy { $0["percent"] == nil })
            let oldScore = all.question(3)
            #expect(oldScore["respondents"] as? Int == 3 && oldScore["average"] as? String == "3.67")   // (4 + 5 + 2) / 3
            #expect(distribution(oldScore).map { $0["count"] as? Int } == [0, 1, 0, 1, 1])
            #expect(distribution(oldScore).map { $0["percent"] as? String } == ["0.00", "33.33", "0.00", "33.33", "33.33"])
            #expect(all.question(4)["respondents"] as? Int == 0)

            // Periods are days in the group's time zone (Asia/Shanghai), both ends included.
            let firstOfApril = try await statistics("?from=2026-04-01&to=2026-04-01")
            #expect(firstOfApril.body["responses"] as? Int == 1)
            #expect(firstOfApril.string("from") == "2026-04-01" && firstOfApril.string("to") == "2026-04-01")
            #expect(options(firstOfApril.question(0)).map { $0["count"] as? Int } == [0, 0, 1, 0])
            #expect(firstOfApril.question(3)["average"] as? String == "5.00")
            let march = try await statistics("?to=2026-03-31")
            #expect(march.body["responses"] as? Int == 1 && options(march.question(0)).map { $0["count"] as? Int } == [0, 1, 0, 0])
            let fromSecond = try await statistics("?from=2026-04-02")
            #expect(fromSecond.body["responses"] as? Int == 2 && fromSecond.question(0)["respondents"] as? Int == 2)
            let backwards = try await statistics("?from=2026-04-05&to=2026-04-01")
            #expect(backwards.body["responses"] as? Int == 0 && backwards.question(0)["respondents"] as? Int == 0)
            for bad in ["?from=2026-13-01", "?from=2026-02-30", "?from=yesterday", "?from=2026-4-1"] {
                #expect(try await send(client, .get, "/v1/questionnaires/\(a)/statistics\(bad)", "/v1/questionnaires/{id}/statistics",
                                       consultant).errorFields == ["from"], "\(bad)")
            }
            #expect(try await send(client, .get, "/v1/questionnaires/\(a)/statistics?to=31.03.2026", "/v1/questionnaires/{id}/statistics",
                                   consultant).errorFields == ["to"])

            // A and B combined: `score` 1–5 and `heard` count together; B's `tv` joins the options.
            let combinedPath = "/v1/questionnaire-statistics"
            let combined = try await send(client, .get, "\(combinedPath)?ids=\(a),\(b),\(a)", combinedPath, consultant)
            #expect(combined.status == .ok, "\(combined.text)")
            #expect(combined.body["responses"] as? Int == 6)
            #expect((combined.body["questionnaires"] as? [[String: Any]])?.map { $0["code"] as? String } == ["visit-a", "satisfaction"])
            #expect(keys(combined) == ["heard:single_choice", "score:rating", "likes:multiple_choice", "score:rating", "remarks:free_text"])
            let combinedHeard = combined.question(0)
            #expect(combinedHeard["respondents"] as? Int == 6)
            #expect(options(combinedHeard).map { $0["code"] as? String } == ["agency", "online", "friend", "outdoor", "tv"])
            #expect(options(combinedHeard).map { $0["count"] as? Int } == [1, 1, 2, 1, 1])
            #expect(options(combinedHeard).map { $0["percent"] as? String } == ["16.67", "16.67", "33.33", "16.67", "16.67"])
            let combinedScore = combined.question(3)
            #expect(combinedScore["respondents"] as? Int == 5 && combinedScore["average"] as? String == "2.80")   // (4 + 5 + 2 + 1 + 2) / 5
            #expect(distribution(combinedScore).map { $0["count"] as? Int } == [1, 2, 0, 1, 1])
            #expect(distribution(combinedScore).map { $0["percent"] as? String } == ["20.00", "40.00", "0.00", "20.00", "20.00"])
            let laterCombined = try await send(client, .get, "\(combinedPath)?ids=\(b),\(a)&from=2026-04-02", combinedPath, consultant)
            #expect(laterCombined.body["responses"] as? Int == 4)
            #expect(keys(laterCombined) == ["score:rating", "heard:single_choice", "score:rating", "likes:multiple_choice", "remarks:free_text"])
            #expect(laterCombined.question(0)["text"] as? String == "How satisfied are you?")
            #expect(laterCombined.question(0)["average"] as? String == "1.67")   // (1 + 2 + 2) / 3

            // Only questionnaires the caller reads; ids must be ids.
            let lake = try await world.database.unitOfWork { work in
                try await F.questionnaire(work, groupID: try await world.groupID(), project: try await world.unitID("lakeside"), code: "lake")
            }
            let hidden = try await send(client, .get, "\(combinedPath)?ids=\(a),\(lake)", combinedPath, consultant)
            #expect(hidden.status == .notFound && hidden.errorFields == ["ids[1]"])
            #expect(try await send(client, .get, "\(combinedPath)?ids=\(a),\(UUIDv7.make())", combinedPath, consultant).errorFields == ["ids[1]"])
            #expect(try await send(client, .get, "/v1/questionnaires/\(lake)/statistics", "/v1/questionnaires/{id}/statistics", consultant)
                    .status == .notFound)
            #expect(try await send(client, .get, "\(combinedPath)?ids=\(a),\(lake)", combinedPath, marketing).status == .ok)
            #expect(try await send(client, .get, "\(combinedPath)?ids=\(a),nope", combinedPath, consultant).errorFields == ["ids[1]"])
            #expect(try await send(client, .get, combinedPath, combinedPath, consultant).errorFields == ["ids"])
            let tooMany = (0...50).map { _ in UUIDv7.make().uuidString }.joined(separator: ",")
            #expect(try await send(client, .get, "\(combinedPath)?ids=\(tooMany)", combinedPath, consultant).errorFields == ["ids"])
            let other = try await signIn(client, "admin", group: "other")
            #expect(try await send(client, .get, "\(combinedPath)?ids=\(a)", combinedPath, other).status == .notFound)
        }
        await world.database.close()
    }

    @Test func responsesValidationRightsAndHistory() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        let lakeside = try await world.unitID("lakeside")
        let consultantUser = try await F.userID(world, "property.consultant")
        let managerUser = try await F.userID(world, "sales.manager")
        let mine = try await F.customer(world, project: riverside, ownerID: consultantUser.id, name: "Mine")
        let managers = try await F.customer(world, project: riverside, ownerID: managerUser.id, name: "The manager's")
        let lake = try await world.database.unitOfWork { work in
            try await F.questionnaire(work, groupID: try await world.groupID(), project: lakeside, code: "lake")
        }
        try await world.test { client in
            let marketing = try await signIn(client, "city.marketing")
            let consultant = try await signIn(client, "property.consultant")
            let manager = try await signIn(client, "sales.manager")
            let cashier = try await signIn(client, "cashier")
            let id = try await send(client, .post, "/v1/projects/\(riverside)/questionnaires", "/v1/projects/{id}/questionnaires",
                                    marketing, F.visit()).id()
            let path = "/v1/customers/\(mine)/questionnaire-responses"
            let template = "/v1/customers/{id}/questionnaire-responses"
            func post(_ answers: Any, token: String? = nil, customer: UUID? = nil, extra: [String: Any] = [:]) async throws -> Reply {
                var body: [String: Any] = ["questionnaireId": id.uuidString, "answers": answers]
                body.merge(extra) { _, new in new }
                return try await send(client, .post, customer.map { "/v1/customers/\($0)/questionnaire-responses" } ?? path, template,
                                      token ?? consultant, body)
            }

            // Each fault names its field.
            #expect(try await post(F.answers("online", nil, 7, nil)).errorFields == ["answers[1].rating"])
            #expect(try await post(F.answers("tv", ["school", "school"], 3, nil)).errorFields == ["answers[0].options[0]", "answers[2].options[1]"])
            #expect(try await post(F.answers("online", nil, 3, " ")).errorFields == ["answers[2].text"])
            #expect(try await post(F.answers("online", nil, 3, String(repeating: "长", count: 2001))).errorFields == ["answers[2].text"])
            #expect(try await post(F.answers("online", nil, 3, nil) + [["questionKey": "budget", "text": "1m"]]).errorFields == ["answers[2].questionKey"])
            #expect(try await post(F.answers("online", nil, 3, nil) + [["questionKey": "heard", "options": ["friend"]]]).errorFields
                    == ["answers[2].questionKey"])
            #expect(try await post([["questionKey": "heard", "options": ["online", "friend"]], ["questionKey": "score", "rating": 3]]).errorFields
                    == ["answers[0].options"])
            #expect(try await post([["questionKey": "heard", "options": ["online"]]]).errorFields == ["answers"])
            #expect(try await post([["questionKey": "heard", "options": ["online"]], ["questionKey": "score", "text": "five"]]).errorFields
                    == ["answers[1].text", "answers[1].rating"])
            let fraction = try await post([["questionKey": "heard", "options": ["online"]], ["questionKey": "score", "rating": 4.5]])
            #expect(fraction.errorFields == ["answers[1].rating"], "\(fraction.text)")
            #expect(try await post([["questionKey": "heard", "options": ["online"]], ["questionKey": "score", "rating": "5"]]).errorFields
                    == ["answers[1].rating"])
            #expect(try await post([["questionKey": "heard", "options": ["online"], "colour": "red"]]).errorFields == ["answers[0].colour"])
            #expect(try await post([]).errorFields == ["answers"])
            #expect(try await post(F.answers("online", nil, 3, nil), extra: ["answeredAt": "2099-01-01T00:00:00Z"]).errorFields == ["answeredAt"])
            #expect(try await post(F.answers("online", nil, 3, nil), extra: ["answeredAt": "1999-12-31T23:59:59Z"]).errorFields == ["answeredAt"])
            #expect(try await post(F.answers("online", nil, 3, nil), extra: ["answeredAt": "yesterday"]).errorFields == ["answeredAt"])

            // References the customer's project does not have, versions it does not have, an inactive questionnaire.
            for (questionnaire, version, field) in [(lake, nil, "questionnaireId"), (UUIDv7.make(), nil, "questionnaireId"), (id, 2, "version")] {
                var extra: [String: Any] = ["questionnaireId": questionnaire.uuidString]
                if let version { extra["version"] = version }
                let refused = try await post(F.answers("online", nil, 3, nil), extra: extra)
                #expect(refused.status == .unprocessableContent && refused.code == "unknown-reference" && refused.errorFields == [field],
                        "\(refused.text)")
            }

            // Rights: the consultant writes their own customers only; the cashier reads but does not write.
            #expect(try await post(F.answers("online", nil, 3, nil), customer: managers).status == .notFound)
            #expect(try await post(F.answers("online", nil, 3, nil), token: cashier).status == .forbidden)
            #expect(try await post(F.answers("online", nil, 3, nil), token: marketing).status == .forbidden)
            #expect(try await post(F.answers("online", nil, 3, nil), customer: UUIDv7.make()).status == .notFound)
            let byManager = try await post(F.answers("friend", nil, 2, nil), token: manager, customer: managers)
            #expect(byManager.status == .created && byManager.string("recordedBy").flatMap(UUID.init(uuidString:)) == managerUser.id)

            // Three responses of the consultant's customer, newest first, a page at a time.
            let times = ["2026-04-01T09:00:00+08:00", "2026-04-03T09:00:00+08:00", "2026-04-02T09:00:00+08:00"]
            var ids: [String] = []
            for (index, at) in times.enumerated() {
                let reply = try await post(F.answers("online", nil, index + 1, nil), extra: ["answeredAt": at])
                #expect(reply.status == .created, "\(reply.text)")
                ids.append(reply.string("id") ?? "")
            }
            let firstPage = try await send(client, .get, "\(path)?limit=2", template, cashier)
            #expect(firstPage.items.compactMap { $0["id"] as? String } == [ids[1], ids[2]])
            let cursor = try #require(firstPage.string("nextCursor"))
            let secondPage = try await send(client, .get, "\(path)?limit=2&cursor=\(cursor)", template, consultant)
            #expect(secondPage.items.compactMap { $0["id"] as? String } == [ids[0]] && secondPage.string("nextCursor") == nil)
            #expect(try await send(client, .get, "\(path)?cursor=nonsense", template, consultant).errorFields == ["cursor"])
            #expect(try await send(client, .get, "/v1/customers/\(managers)/questionnaire-responses", template, consultant).status == .notFound)
            #expect(try await send(client, .get, "/v1/customers/\(managers)/questionnaire-responses", template, manager).items.count == 1)

            // An inactive questionnaire takes no responses.
            var stop = F.visit()
            stop.removeValue(forKey: "code")
            stop["active"] = false
            #expect(try await send(client, .put, "/v1/questionnaires/\(id)/definition", "/v1/questionnaires/{id}/definition", marketing, stop,
                                   ifMatch: "\"1\"").status == .ok)
            let inactive = try await post(F.answers("online", nil, 3, nil))
            #expect(inactive.status == .unprocessableContent && inactive.code == "questionnaire-inactive")

            // Audited on the customer.
            let management = try await signIn(client, "group.management")
            let audit = try await call(client, .get, "/v1/audit-entries?objectType=customer&objectId=\(mine)", management)
            #expect(audit.items.compactMap { $0["action"] as? String } == Array(repeating: "customer.questionnaire_response", count: 3), "\(audit.text)")

            // A merge keeps the duplicate's responses: the survivor lists them with its own.
            let merged = try await call(client, .post, "/v1/customers/\(managers)/merge", manager, ["duplicateId": mine.uuidString])
            #expect(merged.status == .ok, "\(merged.text)")
            let survivor = try await send(client, .get, "/v1/customers/\(managers)/questionnaire-responses", template, manager)
            #expect(survivor.items.compactMap { $0["id"] as? String } == [byManager.string("id") ?? "", ids[1], ids[2], ids[0]])
            #expect(survivor.items.compactMap { ($0["customerId"] as? String).flatMap(UUID.init(uuidString:)) } == [managers, mine, mine, mine])
            #expect(try await post(F.answers("online", nil, 3, nil), token: manager).status == .notFound)
        }

        // Responses and answers are history: they never change.
        await #expect(throws: (any Error).self) { try await world.sql("UPDATE questionnaire_answers SET rating = 5 WHERE rating IS NOT NULL") }
        await #expect(throws: (any Error).self) { try await world.sql("DELETE FROM questionnaire_answers") }
        await #expect(throws: (any Error).self) { try await world.sql("DELETE FROM questionnaire_responses") }
        await #expect(throws: (any Error).self) { try await world.sql("UPDATE questionnaire_responses SET customer_id = \(managers)") }

        // The timeline branch proposed for CustomerHistoryRepository.timeline, run on its own (with the
        // merged customers as that function reads them).
        let pool = PQPool(configuration: PQPoolConfiguration(url: world.url, maxConnections: 1))
        let groupID = try await world.groupID()
        let family: SQL = "ARRAY(SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND (c.id = \(managers) OR c.merged_into = \(managers)))"
        let rows = try await pool.query("""
            SELECT at, id, type, detail FROM (
                SELECT r.answered_at AS at, r.id, 'questionnaire' AS type,
                       jsonb_build_object('questionnaireId', r.questionnaire_id, 'code', q.code, 'title', v.definition->>'title',
                                          'version', r.version, 'recordedBy', r.recorded_by,
                                          'answers', (SELECT count(*) FROM questionnaire_answers a
                                                      WHERE a.group_id = r.group_id AND a.response_id = r.id)) AS detail
                FROM questionnaire_responses r
                JOIN questionnaires q ON q.group_id = r.group_id AND q.id = r.questionnaire_id
                JOIN questionnaire_versions v ON v.group_id = r.group_id AND v.questionnaire_id = r.questionnaire_id AND v.number = r.version
                WHERE r.group_id = \(groupID) AND r.customer_id = ANY(\(family))
            ) t ORDER BY at DESC, id DESC
            """)
        await pool.close()
        #expect(rows.count == 4)
        let detail = try JSONSerialization.jsonObject(with: Data(try rows[0].decode("detail", as: PQJSON.self).text.utf8)) as? [String: Any]
        #expect(try rows[0].decode("type", as: String.self) == "questionnaire")
        #expect(detail?["code"] as? String == "visit" && detail?["title"] as? String == "Visit survey")
        #expect(detail?["version"] as? Int == 1 && detail?["answers"] as? Int == 2)
        await world.database.close()
    }
}
