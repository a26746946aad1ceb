import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Questionnaires of projects, their versions, customers' responses and the statistics.
///
/// Defining a questionnaire (create, publish a new version) needs `marketing.write`: a
/// questionnaire is a marketing instrument (visit and satisfaction surveys whose statistics judge
/// the media and the product), held by city marketing; `customers.assign` is the right to move
/// customers between consultants and would hand that power to whoever writes a survey. Reading
/// questionnaires and their statistics needs `customers.read` at the questionnaire's project (the
/// statistics are counts over all its responses, never a customer's own answers); recording a
/// response needs `customers.write` and the write right on the customer.
struct QuestionnaireController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/projects/{id}/questionnaires", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try PageRequest(request)
            let active = try request.optionalFlag("active")
            let items = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .customersRead)
                return try await work.questionnaires.list(groupID: project.groupID, projectID: project.id, active: active,
                                                          after: page.after, limit: page.limit)
            }
            return Page(items: items.map(QuestionnaireSummaryBody.init), nextCursor: page.nextCursor(after: items, lastID: items.last?.id))
        }
        routes.add(.post, "/v1/projects/{id}/questionnaires", access: .permission(.marketingWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreateQuestionnaire.self, context: context)
            let definition = body.definition.definition
            var violations: [FieldViolation] = []
            if !Questionnaire.isCode(body.code) {
                violations.append(FieldViolation(field: "code", message: "must be 2 to 63 lower-case letters, digits or dashes, not starting with a dash"))
            }
            violations += definition.violations()
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let (stored, version) = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .marketingWrite)
                try await CustomerController.checkCodes(work, groupID: project.groupID, [("type", .questionnaireTypes, definition.type)])
                let questionnaire = StoredQuestionnaire(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, code: body.code,
                                                        title: definition.title, type: definition.type, active: body.definition.active ?? true)
                try await work.questionnaires.insert(questionnaire, definition: definition, publishedBy: caller.actor.historyText)
                guard let stored = try await work.questionnaires.find(groupID: project.groupID, id: questionnaire.id),
                      let version = try await work.questionnaires.version(groupID: project.groupID, questionnaireID: questionnaire.id, number: 1) else {
                    throw Problem.notFound()
                }
                try await Self.record(work, context, "questionnaire.create", stored, definition: definition, before: [:])
                return (stored, version)
            }
            return try Versioning.response(QuestionnaireBody(stored, version), status: .created, version: stored.version,
                                           request: request, context: context)
        }
        routes.add(.get, "/v1/questionnaires/{id}", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let number = try Self.versionParameter(request)
            let (stored, version) = try await database.unitOfWork { work in
                let stored = try await context.customers.questionnaire(work, id, .customersRead)
                guard let version = try await work.questionnaires.version(groupID: stored.groupID, questionnaireID: stored.id,
                                                                          number: number ?? stored.currentVersion) else {
                    throw Problem.notFound("The questionnaire has no version \(number ?? stored.currentVersion).")
                }
                return (stored, version)
            }
            return try Versioning.response(QuestionnaireBody(stored, version), version: stored.version, request: request, context: context)
        }
        routes.add(.put, "/v1/questionnaires/{id}/definition", access: .permission(.marketingWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let expected = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: DefinitionInput.self, context: context)
            let definition = body.definition
            let violations = definition.violations()
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let caller = try context.requireCaller()
            let (stored, version) = try await database.unitOfWork { work in
                let current = try await context.customers.questionnaire(work, id, .marketingWrite, lock: true)
                if definition.type != current.type {
                    try await CustomerController.checkCodes(work, groupID: current.groupID, [("type", .questionnaireTypes, definition.type)])
                }
                guard current.version == expected else { throw VersionConflict(object: "questionnaire", current: current.version) }
                guard let published = try await work.questionnaires.version(groupID: current.groupID, questionnaireID: current.id,
                                                                            number: current.currentVersion) else {
                    throw DataError.internalFailure("questionnaire \(current.id) without its current version")
                }
                let active = body.active ?? current.active
                let stored: StoredQuestionnaire
                if definition == published.definition {
                    // Nothing new to publish: at most the questionnaire starts or stops taking responses.
                    guard active != current.active else { return (current, published) }
                    stored = try await work.questionnaires.setActive(current, active)
                    try await Self.record(work, context, "questionnaire.update", stored, definition: definition,
                                          before: current.auditFields(published.definition))
                    return (stored, published)
                }
                stored = try await work.questionnaires.publish(current, definition: definition, active: active,
                                                               publishedBy: caller.actor.historyText)
                try await Self.record(work, context, "questionnaire.publish", stored, definition: definition,
                                      before: current.auditFields(published.definition))
                guard let version = try await work.questionnaires.version(groupID: stored.groupID, questionnaireID: stored.id,
                                                                          number: stored.currentVersion) else {
                    throw DataError.internalFailure("questionnaire \(stored.id) without its new version")
                }
                return (stored, version)
            }
            return try Versioning.response(QuestionnaireBody(stored, version), version: stored.version, request: request, context: context)
        }
        routes.add(.post, "/v1/customers/{id}/questionnaire-responses", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: RecordResponse.self, context: context)
            let caller = try context.requireCaller()
            guard let userID = caller.user?.id else {
                throw Problem(status: .unprocessableContent, code: "user-required", detail: "Responses are recorded by users; sign in as one.")
            }
            let fractions = body.answers.enumerated().filter(\.element.ratingIsFraction).map {
                FieldViolation(field: "answers[\($0.offset)].rating", message: "must be a whole number")
            }
            guard fractions.isEmpty else { throw Problem.validation(fractions) }
            let now = Date()
            var answeredAt = now
            if let text = body.answeredAt {
                // From 2000 (what paper questionnaires entered late may need), not in the future (a minute of clock skew allowed).
                guard let date = RFC3339.date(from: text), date >= Self.earliestAnswer, date <= now.addingTimeInterval(60) else {
                    throw Problem.validation([FieldViolation(field: "answeredAt",
                                                             message: "must be an RFC 3339 date-time from 2000-01-01, not in the future")])
                }
                answeredAt = date
            }
            let response = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .write).customer
                guard let questionnaire = try await work.questionnaires.find(groupID: customer.groupID, id: body.questionnaireId),
                      questionnaire.projectID == customer.projectID else {
                    throw Self.unknownReference("questionnaireId", "is not a questionnaire of the customer's project")
                }
                guard questionnaire.active else {
                    throw Problem(status: .unprocessableContent, code: "questionnaire-inactive",
                                  detail: "The questionnaire takes no responses any more.",
                                  errors: [.init(field: "questionnaireId", message: "is inactive")])
                }
                let number = body.version ?? questionnaire.currentVersion
                guard let version = try await work.questionnaires.version(groupID: customer.groupID, questionnaireID: questionnaire.id,
                                                                          number: number) else {
                    throw Self.unknownReference("version", "the questionnaire has no version \(number)")
                }
                let (answers, violations) = version.definition.answers(body.answers.map(\.answer))
                guard violations.isEmpty else { throw Problem.validation(violations) }
                let response = QuestionnaireResponse(id: UUIDv7.make(), questionnaireID: questionnaire.id, version: number,
                                                     customerID: customer.id, answeredAt: answeredAt, recordedBy: userID, answers: answers)
                try await work.questionnaires.insert(groupID: customer.groupID, response)
                let after: [String: String?] = ["responseId": response.id.uuidString.lowercased(),
                                                "questionnaireId": questionnaire.id.uuidString.lowercased(), "version": String(number),
                                                "questions": answers.map(\.questionKey).joined(separator: ",")]
                try await context.recordChange(work, action: "customer.questionnaire_response", objectType: "customer", objectID: customer.id,
                                               orgUnitID: customer.projectID, changes: AuditChange.diff(before: [:], after: after),
                                               groupID: customer.groupID)
                return response
            }
            var reply = try QuestionnaireResponseBody(response).response(from: request, context: context)
            reply.status = .created
            return reply
        }
        routes.add(.get, "/v1/customers/{id}/questionnaire-responses", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try TimeKeyset(request)
            let items = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                return try await work.questionnaires.responses(groupID: customer.groupID, customerID: customer.id, before: page.before,
                                                               limit: page.limit)
            }
            return Page(items: items.map(QuestionnaireResponseBody.init),
                        nextCursor: page.nextCursor(items.count, last: items.last.map { ($0.answeredAt, $0.id) }))
        }
        routes.add(.get, "/v1/questionnaires/{id}/statistics", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let period = try Self.period(request)
            return try await database.unitOfWork { work in
                let stored = try await context.customers.questionnaire(work, id, .customersRead)
                return try await Self.statistics(work, [stored], period: period)
            }
        }
        routes.add(.get, "/v1/questionnaire-statistics", access: .permission(.customersRead)) { request, context in
            let ids = try Self.ids(request)
            let period = try Self.period(request)
            return try await database.unitOfWork { work in
                let caller = try context.requireCaller()
                let found = try await work.questionnaires.find(groupID: caller.groupID, ids: ids)
                let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                var questionnaires: [StoredQuestionnaire] = []
                for (index, id) in ids.enumerated() {
                    let decision = byID[id].map { caller.scope.decide(.customersRead, groupID: $0.groupID, unitPath: $0.projectPath) } ?? .notFound
                    switch decision {
                    case .allowed: questionnaires.append(byID[id]!)
                    case .forbidden: throw Problem.forbidden(.customersRead)
                    case .notFound:
                        throw Problem.notFound("No such questionnaire.").with(errors: [.init(field: "ids[\(index)]", message: "is not a questionnaire you can see")])
                    }
                }
                return try await Self.statistics(work, questionnaires, period: period)
            }
        }
    }

    /// 2000-01-01T00:00:00Z: no response is older.
    static let earliestAnswer = Date(timeIntervalSince1970: 946_684_800)

    /// The statistics of `questionnaires` (all of the caller's group) over the days of `period`
    /// in the group's time zone.
    static func statistics(_ work: UnitOfWork, _ questionnaires: [StoredQuestionnaire],
                           period: (from: LocalDate?, to: LocalDate?)) async throws -> QuestionnaireStatisticsBody {
        guard let groupID = questionnaires.first?.groupID else { throw Problem.notFound() }
        let timeZone = try await work.groups.timeZone(groupID: groupID)
        let from = period.from?.start(in: timeZone)
        // The day after `to` starts the open end; none after 9999-12-31.
        let to = period.to.flatMap { $0.adding(days: 1) }.map { $0.start(in: timeZone) }
        let ids = questionnaires.map(\.id)
        let versions = try await work.questionnaires.versions(groupID: groupID, questionnaireIDs: ids)
        let counts = try await work.questionnaires.tallies(groupID: groupID, questionnaireIDs: ids, from: from, to: to)
        let statistics = QuestionnaireStatistics.compute(definitions: versions.map(\.published), tallies: counts.tallies,
                                                         responses: counts.responses)
        return QuestionnaireStatisticsBody(
            questionnaires: questionnaires.map { StatisticsQuestionnaireBody(id: $0.id, projectId: $0.projectID, code: $0.code, title: $0.title) },
            from: period.from, to: period.to, timeZone: timeZone.identifier, responses: statistics.responses,
            questions: statistics.questions.map(QuestionStatisticsBody.init))
    }

    /// `from` and `to`: days `YYYY-MM-DD`, both included, in the group's time zone; either may be
    /// absent (an open end). A `to` before `from` is an empty period.
    static func period(_ request: Request) throws -> (from: LocalDate?, to: LocalDate?) {
        var query = QueryReader(request)
        let period = (from: query.day("from"), to: query.day("to"))
        try query.finish()
        return period
    }

    /// `ids`: 1 to 50 questionnaire ids separated by commas (repeats count once).
    static func ids(_ request: Request) throws -> [UUID] {
        func refuse(_ field: String, _ message: String) -> Problem {
            Problem.badRequest("Bad query parameter.", errors: [.init(field: field, message: message)])
        }
        guard let text = request.uri.queryParameters["ids"], !text.isEmpty else { throw refuse("ids", "is required: 1 to 50 questionnaire ids separated by commas") }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 50 else { throw refuse("ids", "at most 50 questionnaire ids") }
        var ids: [UUID] = []
        for (index, part) in parts.enumerated() {
            guard let id = UUID(uuidString: String(part)) else { throw refuse("ids[\(index)]", "is not a UUID") }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// `version`: a version number, nil when absent.
    static func versionParameter(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters["version"] else { return nil }
        guard let number = Int(String(text)), (1...Int(Int32.max)).contains(number) else {
            throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "version", message: "must be a version number from 1")])
        }
        return number
    }

    /// A well-formed reference the customer's project does not have (as for quotes: 422).
    static func unknownReference(_ field: String, _ message: String) -> Problem {
        Problem(status: .unprocessableContent, code: "unknown-reference", detail: "The response names a questionnaire or version that cannot be answered here.",
                errors: [.init(field: field, message: message)])
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ stored: StoredQuestionnaire,
                       definition: QuestionnaireDefinition, before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "questionnaire", objectID: stored.id, orgUnitID: stored.projectID,
                                       changes: AuditChange.diff(before: before, after: stored.auditFields(definition)), groupID: stored.groupID)
    }
}

extension CustomerAccess {
    /// A questionnaire the caller may act on with `permission` at its project (another group's, one
    /// out of reach and a missing one are 404; a visible one without the permission 403).
    func questionnaire(_ work: UnitOfWork, _ id: UUID, _ permission: Permission, lock: Bool = false) async throws -> StoredQuestionnaire {
        let caller = try context.requireCaller()
        guard let stored = try await work.questionnaires.find(groupID: caller.groupID, id: id, lock: lock) else { throw Problem.notFound() }
        try context.authorize(permission, groupID: stored.groupID, unitPath: stored.projectPath)
        return stored
    }
}

extension StoredQuestionnaire {
    /// What the audit trail records: the questionnaire and its current version's questions by key.
    func auditFields(_ definition: QuestionnaireDefinition) -> [String: String?] {
        ["code": code, "title": title, "type": type, "currentVersion": String(currentVersion), "active": String(active),
         "questions": definition.questions.map { "\($0.key):\($0.kind.rawValue)" }.joined(separator: ",")]
    }
}
