import EstateLogic
import Foundation
import PQ

/// A project's questionnaire as stored: its code, the current version's title and type, the number
/// of the current version, whether it takes responses, and the project's path (for scope checks).
public struct StoredQuestionnaire: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var code: String
    public var title: String
    public var type: String
    public var currentVersion: Int
    public var active: Bool
    /// Bumped by every change; the ETag.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var projectPath: [UUID]

    public init(groupID: UUID, id: UUID, projectID: UUID, code: String, title: String, type: String, currentVersion: Int = 1,
                active: Bool = true, version: Int = 1, createdAt: Date = Date(), updatedAt: Date = Date(), projectPath: [UUID] = []) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.code = code
        self.title = title
        self.type = type
        self.currentVersion = currentVersion
        self.active = active
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.projectPath = projectPath
    }
}

/// One published version of a questionnaire.
public struct QuestionnaireVersion: Sendable, Hashable {
    public var questionnaireID: UUID
    public var number: Int
    public var definition: QuestionnaireDefinition
    public var publishedAt: Date
    /// The actor who published it (`user:<id>`, `api_key:<id>`).
    public var publishedBy: String

    public var published: PublishedDefinition {
        PublishedDefinition(questionnaireID: questionnaireID, number: number, definition: definition)
    }
}

/// Questionnaires, their versions, responses and the counts statistics are made of.
public struct QuestionnaireRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        q.group_id, q.id, q.project_id, q.code, q.title, q.type, q.current_version, q.active, q.version, q.created_at,
        q.updated_at, o.path
        """
    static let from: SQL = "questionnaires q JOIN org_units o ON o.group_id = q.group_id AND o.id = q.project_id"

    static func decode(_ row: PQRow) throws -> StoredQuestionnaire {
        StoredQuestionnaire(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                            code: try row.decode("code"), title: try row.decode("title"), type: try row.decode("type"),
                            currentVersion: try row.decode("current_version"), active: try row.decode("active"),
                            version: try row.decode("version"), createdAt: try row.decode("created_at"),
                            updatedAt: try row.decode("updated_at"), projectPath: try row.decode("path"))
    }

    static func decodeVersion(_ row: PQRow) throws -> QuestionnaireVersion {
        let definition: PQJSON = try row.decode("definition")
        return QuestionnaireVersion(questionnaireID: try row.decode("questionnaire_id"), number: try row.decode("number"),
                                    definition: try definition.decode(QuestionnaireDefinition.self),
                                    publishedAt: try row.decode("published_at"), publishedBy: try row.decode("published_by"))
    }

    /// Stores a new questionnaire with its first version; a code the project already has is
    /// ``InventoryError/codeTaken(object:field:code:)``.
    public func insert(_ q: StoredQuestionnaire, definition: QuestionnaireDefinition, publishedBy: String) async throws {
        do {
            try await transaction.execute("""
                INSERT INTO questionnaires (group_id, id, project_id, code, title, type, current_version, active)
                VALUES (\(q.groupID), \(q.id), \(q.projectID), \(q.code), \(definition.title), \(definition.type), 1, \(q.active))
                """)
        } catch let error as PQError where error.isUniqueViolation {
            throw InventoryError.codeTaken(object: "questionnaire", field: "code", code: q.code)
        }
        try await insertVersion(groupID: q.groupID, questionnaireID: q.id, number: 1, definition: definition, publishedBy: publishedBy)
    }

    private func insertVersion(groupID: UUID, questionnaireID: UUID, number: Int, definition: QuestionnaireDefinition,
                               publishedBy: String) async throws {
        try await transaction.execute("""
            INSERT INTO questionnaire_versions (group_id, questionnaire_id, number, definition, published_by)
            VALUES (\(groupID), \(questionnaireID), \(Int32(clamping: number)), \(try PQJSON(encoding: definition)), \(publishedBy))
            """)
    }

    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredQuestionnaire? {
        let locking: SQL = lock ? "FOR UPDATE OF q" : ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE q.group_id = \(groupID) AND q.id = \(id) \(locking)
            """).firstRow.map(Self.decode)
    }

    /// The group's questionnaires among `ids` (missing ids are simply absent).
    public func find(groupID: UUID, ids: [UUID]) async throws -> [StoredQuestionnaire] {
        guard !ids.isEmpty else { return [] }
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE q.group_id = \(groupID) AND q.id = ANY(\(ids)::uuid[])
            """).map(Self.decode)
    }

    /// A project's questionnaires in the order they were made, keyset-paginated on the id;
    /// `active` keeps only active (true) or inactive (false) ones.
    public func list(groupID: UUID, projectID: UUID, active: Bool?, after: UUID?, limit: Int) async throws -> [StoredQuestionnaire] {
        let activeFilter: SQL = active.map { "AND q.active = \($0)" } ?? ""
        let keyset: SQL = after.map { "AND q.id > \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE q.group_id = \(groupID) AND q.project_id = \(projectID) \(activeFilter) \(keyset)
            ORDER BY q.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// One version of a questionnaire; nil when it has no such version.
    public func version(groupID: UUID, questionnaireID: UUID, number: Int) async throws -> QuestionnaireVersion? {
        try await transaction.query("""
            SELECT questionnaire_id, number, definition, published_at, published_by FROM questionnaire_versions
            WHERE group_id = \(groupID) AND questionnaire_id = \(questionnaireID) AND number = \(number)
            """).firstRow.map(Self.decodeVersion)
    }

    /// Every version of the questionnaires, each questionnaire's newest first, questionnaires in the order of `ids`.
    public func versions(groupID: UUID, questionnaireIDs ids: [UUID]) async throws -> [QuestionnaireVersion] {
        guard !ids.isEmpty else { return [] }
        return try await transaction.query("""
            SELECT v.questionnaire_id, v.number, v.definition, v.published_at, v.published_by
            FROM questionnaire_versions v JOIN unnest(\(ids)::uuid[]) WITH ORDINALITY AS i(id, ordinality) ON i.id = v.questionnaire_id
            WHERE v.group_id = \(groupID) ORDER BY i.ordinality, v.number DESC
            """).map(Self.decodeVersion)
    }

    /// Publishes `definition` as the next version of a questionnaire read (and locked) at
    /// `q.version`, with `active` as given; returns the stored questionnaire.
    public func publish(_ q: StoredQuestionnaire, definition: QuestionnaireDefinition, active: Bool,
                        publishedBy: String) async throws -> StoredQuestionnaire {
        let number = q.currentVersion + 1
        try await insertVersion(groupID: q.groupID, questionnaireID: q.id, number: number, definition: definition, publishedBy: publishedBy)
        return try await update(q, """
            title = \(definition.title), type = \(definition.type), current_version = \(Int32(clamping: number)), active = \(active)
            """)
    }

    /// Starts or stops taking responses without a new version.
    public func setActive(_ q: StoredQuestionnaire, _ active: Bool) async throws -> StoredQuestionnaire {
        try await update(q, "active = \(active)")
    }

    private func update(_ q: StoredQuestionnaire, _ assignments: SQL) async throws -> StoredQuestionnaire {
        guard try await transaction.execute("""
            UPDATE questionnaires SET \(assignments), version = version + 1, updated_at = now()
            WHERE group_id = \(q.groupID) AND id = \(q.id) AND version = \(q.version)
            """) == 1, let updated = try await find(groupID: q.groupID, id: q.id) else {
            throw VersionConflict(object: "questionnaire", current: q.version)
        }
        return updated
    }

    /// Stores a response with its answers.
    public func insert(groupID: UUID, _ r: QuestionnaireResponse) async throws {
        try await transaction.execute("""
            INSERT INTO questionnaire_responses (group_id, id, questionnaire_id, version, customer_id, answered_at, recorded_by)
            VALUES (\(groupID), \(r.id), \(r.questionnaireID), \(Int32(clamping: r.version)), \(r.customerID), \(r.answeredAt), \(r.recordedBy))
            """)
        let answers = r.answers
        // One row per answer; an absent value is NULL (the options as a JSON array per answer, null when none).
        let options = try answers.map { $0.kind.isChoice ? try PQJSON(encoding: $0.options).text : "null" }
        try await transaction.execute("""
            INSERT INTO questionnaire_answers (group_id, response_id, questionnaire_id, version, answered_at, question_key, position,
                                               kind, option_codes, rating, text)
            SELECT \(groupID), \(r.id), \(r.questionnaireID), \(Int32(clamping: r.version)), \(r.answeredAt), a.key, a.position::integer,
                   a.kind, CASE WHEN a.options = 'null' THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(a.options::jsonb)) END,
                   CASE WHEN a.kind = 'rating' THEN a.rating::integer END, CASE WHEN a.kind = 'free_text' THEN a.text END
            FROM unnest(\(answers.map(\.questionKey))::text[], \(answers.map(\.position))::bigint[], \(answers.map(\.kind.rawValue))::text[],
                        \(options)::text[], \(answers.map { $0.rating ?? 0 })::bigint[], \(answers.map { $0.text ?? "" })::text[])
                 AS a(key, position, kind, options, rating, text)
            """)
    }

    /// A customer's responses with their answers, newest first, keyset-paginated on (answered_at, id);
    /// with those of the customers merged into it (a merge keeps every history row on its own id).
    public func responses(groupID: UUID, customerID: UUID, before: (at: Date, id: UUID)?, limit: Int) async throws -> [QuestionnaireResponse] {
        let keyset: SQL = before.map { "AND (r.answered_at, r.id) < (\($0.at), \($0.id))" } ?? ""
        let family: SQL = "ARRAY(SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND (c.id = \(customerID) OR c.merged_into = \(customerID)))"
        let rows = try await transaction.query("""
            SELECT r.id, r.questionnaire_id, r.version, r.customer_id, r.answered_at, r.recorded_by FROM questionnaire_responses r
            WHERE r.group_id = \(groupID) AND r.customer_id = ANY(\(family)) \(keyset)
            ORDER BY r.answered_at DESC, r.id DESC LIMIT \(limit)
            """)
        var responses = try rows.map { row in
            QuestionnaireResponse(id: try row.decode("id"), questionnaireID: try row.decode("questionnaire_id"), version: try row.decode("version"),
                                  customerID: try row.decode("customer_id"), answeredAt: try row.decode("answered_at"),
                                  recordedBy: try row.decode("recorded_by"), answers: [])
        }
        guard !responses.isEmpty else { return [] }
        let answers = try await transaction.query("""
            SELECT response_id, question_key, position, kind, option_codes, rating, text FROM questionnaire_answers
            WHERE group_id = \(groupID) AND response_id = ANY(\(responses.map(\.id))::uuid[]) ORDER BY response_id, position
            """).map { row -> (UUID, Answer) in
                let kindName: String = try row.decode("kind")
                guard let kind = QuestionKind(rawValue: kindName) else { throw DataError.internalFailure("answer of unknown kind \(kindName)") }
                return (try row.decode("response_id"),
                        Answer(questionKey: try row.decode("question_key"), position: try row.decode("position"), kind: kind,
                               options: try row.decode("option_codes", as: [String]?.self) ?? [], rating: try row.decode("rating"),
                               text: try row.decode("text")))
            }
        let byResponse = Dictionary(grouping: answers, by: \.0)
        for index in responses.indices {
            responses[index].answers = byResponse[responses[index].id]?.map(\.1) ?? []
        }
        return responses
    }

    /// The responses to the questionnaires answered in [from, to) (an open end when nil) and their
    /// answers counted per version and question: respondents, choices per option, ratings per value.
    /// One statement, so that every count is of the same snapshot.
    public func tallies(groupID: UUID, questionnaireIDs ids: [UUID], from: Date?,
                        to: Date?) async throws -> (responses: Int, tallies: [AnswerTally]) {
        guard !ids.isEmpty else { return (0, []) }
        let answers = Self.period(column: "a.answered_at", from: from, to: to)
        let responses = Self.period(column: "r.answered_at", from: from, to: to)
        let rows = try await transaction.query("""
            SELECT 'rating' AS part, a.questionnaire_id, a.version, a.question_key, a.rating, NULL::text AS code, count(*) AS n
            FROM questionnaire_answers a
            WHERE a.group_id = \(groupID) AND a.questionnaire_id = ANY(\(ids)::uuid[]) \(answers)
            GROUP BY a.questionnaire_id, a.version, a.question_key, a.rating
            UNION ALL
            SELECT 'option', a.questionnaire_id, a.version, a.question_key, NULL, o.code, count(*)
            FROM questionnaire_answers a CROSS JOIN LATERAL unnest(a.option_codes) AS o(code)
            WHERE a.group_id = \(groupID) AND a.questionnaire_id = ANY(\(ids)::uuid[]) AND a.option_codes IS NOT NULL \(answers)
            GROUP BY a.questionnaire_id, a.version, a.question_key, o.code
            UNION ALL
            SELECT 'responses', NULL, NULL, NULL, NULL, NULL, count(*)
            FROM questionnaire_responses r
            WHERE r.group_id = \(groupID) AND r.questionnaire_id = ANY(\(ids)::uuid[]) \(responses)
            """)
        struct Key: Hashable {
            let questionnaireID: UUID
            let version: Int
            let key: String
        }
        var tallies: [Key: AnswerTally] = [:]
        var order: [Key] = []
        var responseCount = 0
        for row in rows {
            let part: String = try row.decode("part")
            let count: Int = try row.decode("n")
            guard part != "responses" else {
                responseCount = count
                continue
            }
            let key = Key(questionnaireID: try row.decode("questionnaire_id"), version: try row.decode("version"), key: try row.decode("question_key"))
            if tallies[key] == nil {
                tallies[key] = AnswerTally(questionnaireID: key.questionnaireID, version: key.version, questionKey: key.key, respondents: 0)
                order.append(key)
            }
            if part == "option" {
                // A choice answer's options, once each (the rating part already counted the answer itself).
                tallies[key]!.optionCounts[try row.decode("code"), default: 0] += count
            } else {
                // Per rating value, NULL for the other kinds: the sum over a question is its respondents.
                tallies[key]!.respondents += count
                if let rating: Int = try row.decode("rating") { tallies[key]!.ratingCounts[rating, default: 0] += count }
            }
        }
        return (responseCount, order.compactMap { tallies[$0] })
    }

    static func period(column: SQL, from: Date?, to: Date?) -> SQL {
        var sql: SQL = ""
        if let from { sql = "\(sql) AND \(column) >= \(from)" }
        if let to { sql = "\(sql) AND \(column) < \(to)" }
        return sql
    }
}

extension UnitOfWork {
    public var questionnaires: QuestionnaireRepository { QuestionnaireRepository(transaction: transaction) }
}
