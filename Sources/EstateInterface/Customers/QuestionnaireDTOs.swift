import EstateData
import EstateLogic
import Foundation
import Hummingbird

// MARK: - Requests

/// An option of a choice question as clients send it.
struct QuestionOptionInput: Decodable {
    let code: String
    let label: String

    enum CodingKeys: String, CodingKey, CaseIterable { case code, label }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        label = try container.decode(String.self, forKey: .label)
    }
}

struct RatingScaleInput: Decodable {
    let min: Int
    let max: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case min, max }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        min = try container.decode(Int.self, forKey: .min)
        max = try container.decode(Int.self, forKey: .max)
    }
}

struct QuestionInput: Decodable {
    let key: String
    let kind: QuestionKind
    let text: String
    let required: Bool?
    let options: [QuestionOptionInput]?
    let scale: RatingScaleInput?

    enum CodingKeys: String, CodingKey, CaseIterable { case key, kind, text, required, options, scale }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        kind = try container.decode(QuestionKind.self, forKey: .kind)
        text = try container.decode(String.self, forKey: .text)
        required = try container.decodeIfPresent(Bool.self, forKey: .required)
        options = try container.decodeIfPresent([QuestionOptionInput].self, forKey: .options)
        scale = try container.decodeIfPresent(RatingScaleInput.self, forKey: .scale)
    }

    /// The question as the domain checks it: texts trimmed; options and scale as given (a non-choice
    /// question's options and a non-rating question's scale are kept so that they are refused).
    var question: Question {
        Question(key: key, kind: kind, text: text.trimmingCharacters(in: .whitespacesAndNewlines), required: required ?? false,
                 options: (options ?? []).map { QuestionOption(code: $0.code, label: $0.label.trimmingCharacters(in: .whitespacesAndNewlines)) },
                 scale: scale.map { RatingScale(min: $0.min, max: $0.max) })
    }
}

/// A new questionnaire: its code and the definition of version 1.
struct CreateQuestionnaire: Decodable {
    let code: String
    let definition: DefinitionInput

    enum CodingKeys: String, CodingKey, CaseIterable { case code, title, type, questions, active }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        definition = try DefinitionInput(from: decoder, allowing: CodingKeys.self)
    }
}

/// The definition a client publishes: title, type, questions, and whether the questionnaire takes responses.
struct DefinitionInput: Decodable {
    let title: String
    let type: String
    let questions: [QuestionInput]
    let active: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable { case title, type, questions, active }

    init(from decoder: any Decoder) throws {
        try self.init(from: decoder, allowing: CodingKeys.self)
    }

    /// Decodes the definition's members of an object whose members are `Keys`.
    init<Keys: CodingKey & CaseIterable>(from decoder: any Decoder, allowing keys: Keys.Type) throws {
        try decoder.refuseUnknownKeys(keys)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        type = try container.decode(String.self, forKey: .type)
        questions = try container.decode([QuestionInput].self, forKey: .questions)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
    }

    var definition: QuestionnaireDefinition {
        QuestionnaireDefinition(title: title.trimmingCharacters(in: .whitespacesAndNewlines), type: type, questions: questions.map(\.question))
    }
}

struct AnswerBodyInput: Decodable {
    let questionKey: String
    let options: [String]?
    let rating: Int?
    /// The rating is a number but not a whole one (`4.5`): a field error, where JSONDecoder would
    /// only say that the body is not valid JSON.
    let ratingIsFraction: Bool
    let text: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case questionKey, options, rating, text }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        questionKey = try container.decode(String.self, forKey: .questionKey)
        options = try container.decodeIfPresent([String].self, forKey: .options)
        if let whole = try? container.decodeIfPresent(Int.self, forKey: .rating) {
            rating = whole
            ratingIsFraction = false
        } else if (try? container.decode(Double.self, forKey: .rating)) != nil {
            rating = nil
            ratingIsFraction = true
        } else {
            rating = try container.decodeIfPresent(Int.self, forKey: .rating)
            ratingIsFraction = false
        }
        text = try container.decodeIfPresent(String.self, forKey: .text)
    }

    var answer: AnswerInput { AnswerInput(questionKey: questionKey, options: options, rating: rating, text: text) }
}

/// A customer's answers to a questionnaire: the current version unless `version` names another.
struct RecordResponse: Decodable {
    let questionnaireId: UUID
    let version: Int?
    /// RFC 3339; now when absent (a paper questionnaire entered later gives the time it was filled in).
    let answeredAt: String?
    let answers: [AnswerBodyInput]

    enum CodingKeys: String, CodingKey, CaseIterable { case questionnaireId, version, answeredAt, answers }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        questionnaireId = try container.decode(UUID.self, forKey: .questionnaireId)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        answeredAt = try container.decodeIfPresent(String.self, forKey: .answeredAt)
        answers = try container.decode([AnswerBodyInput].self, forKey: .answers)
    }
}

// MARK: - Responses

struct QuestionBody: Encodable, Sendable {
    let key: String
    let kind: QuestionKind
    let text: String
    let required: Bool
    let options: [QuestionOption]?
    let scale: RatingScale?

    init(_ q: Question) {
        key = q.key
        kind = q.kind
        text = q.text
        required = q.required
        options = q.kind.isChoice ? q.options : nil
        scale = q.kind == .rating ? q.scale : nil
    }
}

/// One published version.
struct DefinitionBody: Encodable, Sendable {
    let number: Int
    let title: String
    let type: String
    let questions: [QuestionBody]
    let publishedAt: Date
    let publishedBy: String

    init(_ v: QuestionnaireVersion) {
        number = v.number
        title = v.definition.title
        type = v.definition.type
        questions = v.definition.questions.map(QuestionBody.init)
        publishedAt = v.publishedAt
        publishedBy = v.publishedBy
    }
}

/// A questionnaire in a list: what it is, without its questions.
struct QuestionnaireSummaryBody: ResponseEncodable, Sendable {
    let id: UUID
    let projectId: UUID
    let code: String
    let title: String
    let type: String
    let active: Bool
    let currentVersion: Int
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ q: StoredQuestionnaire) {
        id = q.id
        projectId = q.projectID
        code = q.code
        title = q.title
        type = q.type
        active = q.active
        currentVersion = q.currentVersion
        version = q.version
        createdAt = q.createdAt
        updatedAt = q.updatedAt
    }
}

/// A questionnaire with one version's definition (the current one unless another was asked for):
/// the summary's members and `definition`.
struct QuestionnaireBody: ResponseEncodable, Sendable {
    let summary: QuestionnaireSummaryBody
    let definition: DefinitionBody

    init(_ q: StoredQuestionnaire, _ v: QuestionnaireVersion) {
        summary = QuestionnaireSummaryBody(q)
        definition = DefinitionBody(v)
    }

    enum CodingKeys: String, CodingKey { case definition }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(definition, forKey: .definition)
    }
}

struct AnswerBody: Encodable, Sendable {
    let questionKey: String
    let kind: QuestionKind
    let options: [String]?
    let rating: Int?
    let text: String?

    init(_ a: Answer) {
        questionKey = a.questionKey
        kind = a.kind
        options = a.kind.isChoice ? a.options : nil
        rating = a.rating
        text = a.text
    }
}

struct QuestionnaireResponseBody: ResponseEncodable, Sendable {
    let id: UUID
    let questionnaireId: UUID
    let version: Int
    let customerId: UUID
    let answeredAt: Date
    let recordedBy: UUID
    let answers: [AnswerBody]

    init(_ r: QuestionnaireResponse) {
        id = r.id
        questionnaireId = r.questionnaireID
        version = r.version
        customerId = r.customerID
        answeredAt = r.answeredAt
        recordedBy = r.recordedBy
        answers = r.answers.map(AnswerBody.init)
    }
}

struct OptionStatisticsBody: Encodable, Sendable {
    let code: String
    let label: String
    let count: Int
    let percent: String?
}

struct RatingValueBody: Encodable, Sendable {
    let value: Int
    let count: Int
    let percent: String?
}

struct QuestionStatisticsBody: Encodable, Sendable {
    let key: String
    let kind: QuestionKind
    let text: String
    let respondents: Int
    let options: [OptionStatisticsBody]?
    let scale: RatingScale?
    let average: String?
    let distribution: [RatingValueBody]?

    init(_ s: QuestionStatistics) {
        key = s.key
        kind = s.kind
        text = s.text
        respondents = s.respondents
        options = s.kind.isChoice ? s.options.map { OptionStatisticsBody(code: $0.code, label: $0.label, count: $0.count, percent: $0.percent) } : nil
        scale = s.scale
        average = s.average
        distribution = s.kind == .rating ? s.distribution.map { RatingValueBody(value: $0.value, count: $0.count, percent: $0.percent) } : nil
    }
}

struct StatisticsQuestionnaireBody: Encodable, Sendable {
    let id: UUID
    let projectId: UUID
    let code: String
    let title: String
}

/// Statistics of one questionnaire or several combined, over a period of days in the group's time zone.
struct QuestionnaireStatisticsBody: ResponseEncodable, Sendable {
    let questionnaires: [StatisticsQuestionnaireBody]
    let from: LocalDate?
    let to: LocalDate?
    /// The time zone the days are counted in (the group's).
    let timeZone: String
    let responses: Int
    let questions: [QuestionStatisticsBody]
}
