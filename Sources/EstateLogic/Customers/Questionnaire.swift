import Foundation

/// What a question asks for.
public enum QuestionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Exactly one of the question's options.
    case singleChoice = "single_choice"
    /// One or more distinct options.
    case multipleChoice = "multiple_choice"
    /// A whole number on the question's scale (e.g. 1 to 5, 0 to 10).
    case rating
    /// A text of 1 to ``Questionnaire/maximumAnswerText`` characters.
    case freeText = "free_text"

    /// Whether answers choose among options.
    public var isChoice: Bool { self == .singleChoice || self == .multipleChoice }
}

/// One option of a choice question: a stable code (what answers and statistics refer to) and a label.
public struct QuestionOption: Sendable, Hashable, Codable {
    public var code: String
    public var label: String

    public init(code: String, label: String) {
        self.code = code
        self.label = label
    }
}

/// The scale of a rating question: every whole number from `min` to `max`.
public struct RatingScale: Sendable, Hashable, Codable {
    public var min: Int
    public var max: Int

    public init(min: Int, max: Int) {
        self.min = min
        self.max = max
    }

    /// Whether `value` is on the scale.
    public func contains(_ value: Int) -> Bool { min <= value && value <= max }
}

/// One question of a definition. `key` is stable across versions: statistics combine answers by it.
public struct Question: Sendable, Hashable, Codable {
    public var key: String
    public var kind: QuestionKind
    /// The question as respondents read it.
    public var text: String
    /// A response must answer it.
    public var required: Bool
    /// The options of a choice question, in the order they are shown (empty for other kinds).
    public var options: [QuestionOption]
    /// The scale of a rating question (nil for other kinds).
    public var scale: RatingScale?

    public init(key: String, kind: QuestionKind, text: String, required: Bool = false, options: [QuestionOption] = [],
                scale: RatingScale? = nil) {
        self.key = key
        self.kind = kind
        self.text = text
        self.required = required
        self.options = options
        self.scale = scale
    }

    /// The option with this code.
    public func option(_ code: String) -> QuestionOption? { options.first { $0.code == code } }
}

/// What one version of a questionnaire asks: its title, its type (a code of the group's
/// `questionnaire_types` dictionary) and its questions. Published versions never change.
public struct QuestionnaireDefinition: Sendable, Hashable, Codable {
    public var title: String
    public var type: String
    public var questions: [Question]

    public init(title: String, type: String, questions: [Question]) {
        self.title = title
        self.type = type
        self.questions = questions
    }

    /// The question with this key.
    public func question(_ key: String) -> Question? { questions.first { $0.key == key } }

    /// The definition's own rules, each violation naming its field as the API writes it
    /// (`title`, `questions[2].options[1].code`, ...):
    /// - `title` 1 to 200 characters, not blank, without control characters; `type` a dictionary code
    ///   (1 to 63 lower-case letters, digits or underscores; whether the group has it is checked elsewhere);
    /// - 1 to 100 questions with distinct keys (``Questionnaire/isKey(_:)``) and a text of 1 to 500 characters;
    /// - choice questions have 2 to 50 options with distinct codes (``Questionnaire/isOptionCode(_:)``) and
    ///   labels of 1 to 200 characters, and no scale; rating questions have a scale with `0 <= min < max <= 100`
    ///   and no options; free-text questions have neither.
    public func violations() -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let violation = Self.label(title, maximum: 200, field: "title") { result.append(violation) }
        if !Questionnaire.isTypeCode(type) {
            result.append(FieldViolation(field: "type", message: "must be 1 to 63 lower-case letters, digits or underscores"))
        }
        guard (1...Questionnaire.maximumQuestions).contains(questions.count) else {
            result.append(FieldViolation(field: "questions", message: "must have 1 to \(Questionnaire.maximumQuestions) questions"))
            return result
        }
        var keys: [String: Int] = [:]
        for (index, question) in questions.enumerated() {
            let field = "questions[\(index)]"
            result += [
                Self.identifier(question.key, index, field: "\(field).key", seen: &keys, wellFormed: Questionnaire.isKey(question.key),
                                rule: "1 to 63 lower-case letters, digits or underscores, starting with a letter", owner: "key of questions"),
                Self.label(question.text, maximum: 500, field: "\(field).text"),
            ].compactMap { $0 }
            result += Self.kindViolations(question, field: field)
        }
        return result
    }

    /// One of a list's identifiers (question keys, option codes): well-formed, and not one an earlier
    /// item has (`seen` remembers the first index of each).
    private static func identifier(_ value: String, _ index: Int, field: String, seen: inout [String: Int], wellFormed: Bool,
                                   rule: String, owner: String) -> FieldViolation? {
        guard wellFormed else { return FieldViolation(field: field, message: "must be \(rule)") }
        if let first = seen[value] { return FieldViolation(field: field, message: "is the \(owner)[\(first)] too") }
        seen[value] = index
        return nil
    }

    /// A title, text or label (``Questionnaire/isLabel(_:maximum:)``).
    private static func label(_ text: String, maximum: Int, field: String) -> FieldViolation? {
        Questionnaire.isLabel(text, maximum: maximum)
            ? nil : FieldViolation(field: field, message: "must be 1 to \(maximum) characters, not blank, without control characters")
    }

    private static func kindViolations(_ question: Question, field: String) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if question.kind.isChoice {
            if !(2...Questionnaire.maximumOptions).contains(question.options.count) {
                result.append(FieldViolation(field: "\(field).options", message: "a choice question needs 2 to \(Questionnaire.maximumOptions) options"))
            }
            var codes: [String: Int] = [:]
            for (index, option) in question.options.enumerated() {
                result += [
                    identifier(option.code, index, field: "\(field).options[\(index)].code", seen: &codes,
                               wellFormed: Questionnaire.isOptionCode(option.code),
                               rule: "1 to 63 lower-case letters, digits, underscores or dashes, starting with a letter or digit",
                               owner: "code of options"),
                    label(option.label, maximum: 200, field: "\(field).options[\(index)].label"),
                ].compactMap { $0 }
            }
        } else if !question.options.isEmpty {
            result.append(FieldViolation(field: "\(field).options", message: "only choice questions have options"))
        }
        if question.kind == .rating {
            if let scale = question.scale {
                let range = Questionnaire.ratingRange
                if !range.contains(scale.min) {
                    result.append(FieldViolation(field: "\(field).scale.min", message: "must be from \(range.lowerBound) to \(range.upperBound)"))
                }
                if !range.contains(scale.max) {
                    result.append(FieldViolation(field: "\(field).scale.max", message: "must be from \(range.lowerBound) to \(range.upperBound)"))
                } else if range.contains(scale.min) && scale.max <= scale.min {
                    result.append(FieldViolation(field: "\(field).scale.max", message: "must be more than min"))
                }
            } else {
                result.append(FieldViolation(field: "\(field).scale", message: "a rating question needs a scale"))
            }
        } else if question.scale != nil {
            result.append(FieldViolation(field: "\(field).scale", message: "only rating questions have a scale"))
        }
        return result
    }
}

/// One answer as a client sends it: the question's key and the options, rating or text it gives.
public struct AnswerInput: Sendable, Hashable {
    public var questionKey: String
    public var options: [String]?
    public var rating: Int?
    public var text: String?

    public init(questionKey: String, options: [String]? = nil, rating: Int? = nil, text: String? = nil) {
        self.questionKey = questionKey
        self.options = options
        self.rating = rating
        self.text = text
    }
}

/// A valid answer to one question of a version.
public struct Answer: Sendable, Hashable, Codable {
    public var questionKey: String
    /// The question's index in its version (answers are listed in the definition's order).
    public var position: Int
    public var kind: QuestionKind
    /// The chosen option codes (choice questions), distinct, in the order given.
    public var options: [String]
    public var rating: Int?
    /// The text (free-text questions), without surrounding white space.
    public var text: String?

    public init(questionKey: String, position: Int, kind: QuestionKind, options: [String] = [], rating: Int? = nil, text: String? = nil) {
        self.questionKey = questionKey
        self.position = position
        self.kind = kind
        self.options = options
        self.rating = rating
        self.text = text
    }
}

/// A customer's response to one version of a questionnaire.
public struct QuestionnaireResponse: Sendable, Hashable {
    public var id: UUID
    public var questionnaireID: UUID
    /// The version answered.
    public var version: Int
    public var customerID: UUID
    public var answeredAt: Date
    /// The user who recorded it.
    public var recordedBy: UUID
    /// In the definition's order.
    public var answers: [Answer]

    public init(id: UUID, questionnaireID: UUID, version: Int, customerID: UUID, answeredAt: Date, recordedBy: UUID, answers: [Answer]) {
        self.id = id
        self.questionnaireID = questionnaireID
        self.version = version
        self.customerID = customerID
        self.answeredAt = answeredAt
        self.recordedBy = recordedBy
        self.answers = answers
    }
}

extension QuestionnaireDefinition {
    /// Checks answers against this version; the valid answers in the definition's order, or the
    /// violations, each naming `answers[i]...` (or `answers` for what is missing):
    /// - at least one answer, at most ``Questionnaire/maximumQuestions``; each names a question of the
    ///   version (`answers[i].questionKey`), at most once;
    /// - single choice: exactly one known option code; multiple choice: one or more distinct known codes
    ///   (`answers[i].options[j]` for an unknown or repeated code);
    /// - rating: a whole number on the question's scale; free text: 1 to ``Questionnaire/maximumAnswerText``
    ///   characters (Unicode scalars), not blank, without control characters other than tab and line breaks;
    /// - a question's kind decides which of `options`, `rating` and `text` is given: the others must be absent;
    /// - every required question is answered.
    public func answers(_ inputs: [AnswerInput]) -> (answers: [Answer], violations: [FieldViolation]) {
        var violations: [FieldViolation] = []
        guard (1...Questionnaire.maximumQuestions).contains(inputs.count) else {
            return ([], [FieldViolation(field: "answers", message: "must answer 1 to \(Questionnaire.maximumQuestions) questions")])
        }
        let positions = Dictionary(questions.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        var answered: [String: Int] = [:]
        var answers: [Answer] = []
        for (index, input) in inputs.enumerated() {
            let field = "answers[\(index)]"
            guard let position = positions[input.questionKey] else {
                violations.append(FieldViolation(field: "\(field).questionKey", message: "is not a question of this version"))
                continue
            }
            if let first = answered[input.questionKey] {
                violations.append(FieldViolation(field: "\(field).questionKey", message: "is answered by answers[\(first)] too"))
                continue
            }
            answered[input.questionKey] = index
            let question = questions[position]
            let before = violations.count
            violations += Self.valueViolations(input, question, field: field)
            guard violations.count == before else { continue }
            answers.append(Answer(questionKey: question.key, position: position, kind: question.kind, options: input.options ?? [],
                                  rating: input.rating, text: input.text?.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        for question in questions where question.required && answered[question.key] == nil {
            violations.append(FieldViolation(field: "answers", message: "the required question '\(question.key)' is not answered"))
        }
        guard violations.isEmpty else { return ([], violations) }
        return (answers.sorted { $0.position < $1.position }, [])
    }

    private static func valueViolations(_ input: AnswerInput, _ question: Question, field: String) -> [FieldViolation] {
        var result: [FieldViolation] = []
        func absent(_ given: Bool, _ name: String) {
            if given { result.append(FieldViolation(field: "\(field).\(name)", message: "is not for a \(question.kind.rawValue) question")) }
        }
        absent(input.options != nil && !question.kind.isChoice, "options")
        absent(input.rating != nil && question.kind != .rating, "rating")
        absent(input.text != nil && question.kind != .freeText, "text")
        switch question.kind {
        case .singleChoice, .multipleChoice:
            guard let options = input.options, !options.isEmpty else {
                let count = question.kind == .singleChoice ? "exactly one option" : "one or more options"
                result.append(FieldViolation(field: "\(field).options", message: "must give \(count)"))
                break
            }
            if question.kind == .singleChoice && options.count != 1 {
                result.append(FieldViolation(field: "\(field).options", message: "must give exactly one option"))
                break
            }
            var seen: [String: Int] = [:]
            for (index, code) in options.enumerated() {
                if question.option(code) == nil {
                    result.append(FieldViolation(field: "\(field).options[\(index)]", message: "is not an option of question '\(question.key)'"))
                } else if let first = seen[code] {
                    result.append(FieldViolation(field: "\(field).options[\(index)]", message: "is options[\(first)] again"))
                } else {
                    seen[code] = index
                }
            }
        case .rating:
            guard let rating = input.rating else {
                result.append(FieldViolation(field: "\(field).rating", message: "is required for a rating question"))
                break
            }
            if let scale = question.scale, !scale.contains(rating) {
                result.append(FieldViolation(field: "\(field).rating", message: "must be a whole number from \(scale.min) to \(scale.max)"))
            }
        case .freeText:
            guard let text = input.text else {
                result.append(FieldViolation(field: "\(field).text", message: "is required for a free-text question"))
                break
            }
            if !Questionnaire.isAnswerText(text) {
                result.append(FieldViolation(field: "\(field).text",
                                             message: "must be 1 to \(Questionnaire.maximumAnswerText) characters, not blank, without control characters other than tabs and line breaks"))
            }
        }
        return result
    }
}

/// The rules of questionnaire codes, keys and texts.
public enum Questionnaire {
    public static let maximumQuestions = 100
    public static let maximumOptions = 50
    /// The longest free-text answer, in Unicode scalars (what JSON Schema's `maxLength` counts).
    public static let maximumAnswerText = 2000
    /// The bounds every rating scale stays within.
    public static let ratingRange = 0...100

    /// A questionnaire's code: 2 to 63 lower-case ASCII letters, digits or dashes, not starting with a dash.
    public static func isCode(_ code: String) -> Bool {
        guard (2...63).contains(code.utf8.count), let first = code.utf8.first, first != UInt8(ascii: "-") else { return false }
        return code.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// A question's key: 1 to 63 lower-case ASCII letters, digits or underscores, starting with a letter.
    public static func isKey(_ key: String) -> Bool {
        guard (1...63).contains(key.utf8.count), let first = key.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return key.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// An option's code: 1 to 63 lower-case ASCII letters, digits, underscores or dashes, starting with a letter or digit.
    public static func isOptionCode(_ code: String) -> Bool {
        guard (1...63).contains(code.utf8.count), let first = code.utf8.first, isLowerAlphanumeric(first) else { return false }
        return code.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// A dictionary code (of `questionnaire_types`): 1 to 63 lower-case ASCII letters, digits or underscores.
    public static func isTypeCode(_ code: String) -> Bool {
        (1...63).contains(code.utf8.count) && code.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// A title, question text or option label: 1 to `maximum` Unicode scalars, not only white space,
    /// without control characters.
    public static func isLabel(_ text: String, maximum: Int) -> Bool {
        (1...maximum).contains(text.unicodeScalars.count) && !CustomerText.hasControlCharacter(text)
            && !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// A free-text answer: 1 to ``maximumAnswerText`` Unicode scalars, not only white space, without
    /// control characters other than tab, line feed and carriage return.
    public static func isAnswerText(_ text: String) -> Bool {
        (1...maximumAnswerText).contains(text.unicodeScalars.count)
            && !CustomerText.hasControlCharacter(text, allowingLineBreaks: true)
            && !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
