import Foundation

/// A published definition with the questionnaire and version it belongs to.
public struct PublishedDefinition: Sendable, Hashable {
    public var questionnaireID: UUID
    public var number: Int
    public var definition: QuestionnaireDefinition

    public init(questionnaireID: UUID, number: Int, definition: QuestionnaireDefinition) {
        self.questionnaireID = questionnaireID
        self.number = number
        self.definition = definition
    }
}

/// The answers to one question of one version, counted (by the database): how many responses
/// answered it, how often each option was chosen, how often each rating was given.
public struct AnswerTally: Sendable, Hashable {
    public var questionnaireID: UUID
    public var version: Int
    public var questionKey: String
    /// Responses that answered the question.
    public var respondents: Int
    /// Times each option code was chosen (choice questions).
    public var optionCounts: [String: Int]
    /// Times each rating was given (rating questions).
    public var ratingCounts: [Int: Int]

    public init(questionnaireID: UUID, version: Int, questionKey: String, respondents: Int, optionCounts: [String: Int] = [:],
                ratingCounts: [Int: Int] = [:]) {
        self.questionnaireID = questionnaireID
        self.version = version
        self.questionKey = questionKey
        self.respondents = respondents
        self.optionCounts = optionCounts
        self.ratingCounts = ratingCounts
    }
}

/// An option's figures: how many respondents of the question chose it, and what percent of them.
public struct OptionStatistics: Sendable, Hashable {
    public var code: String
    public var label: String
    public var count: Int
    /// ``QuestionnaireStatistics/percent(_:of:)`` of the question's respondents; nil when nobody answered.
    public var percent: String?

    public init(code: String, label: String, count: Int, percent: String?) {
        self.code = code
        self.label = label
        self.count = count
        self.percent = percent
    }
}

/// How many respondents gave one rating, and what percent of the question's respondents they are.
public struct RatingValueStatistics: Sendable, Hashable {
    public var value: Int
    public var count: Int
    public var percent: String?

    public init(value: Int, count: Int, percent: String?) {
        self.value = value
        self.count = count
        self.percent = percent
    }
}

/// The figures of one question (of several versions or questionnaires combined).
public struct QuestionStatistics: Sendable, Hashable {
    public var key: String
    public var kind: QuestionKind
    /// The question's text in the first definition that has it (see ``QuestionnaireStatistics/compute(definitions:tallies:responses:)``).
    public var text: String
    /// Responses that answered the question: the base of every percentage (for free text, the number of texts).
    public var respondents: Int
    /// Choice questions: every option of every combined definition, chosen or not.
    public var options: [OptionStatistics]
    /// Rating questions: the scale.
    public var scale: RatingScale?
    /// Rating questions: the mean rating, ``QuestionnaireStatistics/average(sum:count:)``; nil without ratings.
    public var average: String?
    /// Rating questions: every value of the scale (and any value outside it) with its count.
    public var distribution: [RatingValueStatistics]
}

/// Statistics of questionnaires: per question, counts and percentages per option, the average and
/// distribution of ratings, the number of free-text answers; for one questionnaire or several combined.
///
/// **Combining.** Answers of different versions and questionnaires are counted together when their
/// questions share the key and the kind, and, for ratings, the scale too (an average of 1–5 and 0–10
/// ratings would mean nothing; the same key on two scales gives two entries). Options combine by code.
///
/// **Exact figures.** Percentages and averages are computed from integer counts with integer
/// arithmetic and written with exactly two decimals, rounded half away from zero (all figures are
/// positive, so halves round up): 3 of 7 is `42.86`, 1 of 8 is `12.50`, 1 of 200 is `0.50`,
/// 1 of 400 (0.25) is `0.25`, 1 of 800 (0.125) is `0.13`. A percentage is of the question's
/// respondents: a multiple-choice question's percentages may add up to more than 100, a
/// single-choice question's add up to 100 give or take the rounding.
public struct QuestionnaireStatistics: Sendable, Hashable {
    /// Responses in the period (to any of the questionnaires).
    public var responses: Int
    public var questions: [QuestionStatistics]

    public init(responses: Int, questions: [QuestionStatistics]) {
        self.responses = responses
        self.questions = questions
    }

    /// `part / whole` as a percentage with two decimals (`3, 7` → `42.86`); nil when `whole` is 0.
    public static func percent(_ part: Int, of whole: Int) -> String? {
        ratio(Int128(part) * 100, Int128(whole))
    }

    /// `sum / count` with two decimals (`22, 6` → `3.67`); nil when `count` is 0.
    public static func average(sum: Int, count: Int) -> String? {
        ratio(Int128(sum), Int128(count))
    }

    /// `numerator / denominator` with two decimals, rounded half away from zero.
    static func ratio(_ numerator: Int128, _ denominator: Int128) -> String? {
        guard denominator != 0 else { return nil }
        return FixedPoint.format(Int64(FixedPoint.divideRounded(numerator * 100, denominator)), scale: 2)
    }

    /// What makes questions count together: key, kind and, for ratings, the scale.
    struct Combination: Hashable {
        let key: String
        let kind: QuestionKind
        let scale: RatingScale?

        init(_ question: Question) {
            key = question.key
            kind = question.kind
            scale = question.kind == .rating ? question.scale : nil
        }
    }

    /// The statistics of `tallies` against the `definitions` they answered.
    ///
    /// Questions and options are listed in the order they are first met in `definitions`, and take
    /// their text and label from there: pass each questionnaire's versions newest first, so that the
    /// current wording and order win and questions only older versions asked follow. A tally for a
    /// question none of the definitions has is ignored (the database only keeps answers to
    /// published questions).
    public static func compute(definitions: [PublishedDefinition], tallies: [AnswerTally], responses: Int) -> QuestionnaireStatistics {
        struct Entry {
            var question: Question
            var optionOrder: [String] = []
            var labels: [String: String] = [:]
            var respondents = 0
            var optionCounts: [String: Int] = [:]
            var ratingCounts: [Int: Int] = [:]
        }
        struct Asked: Hashable {
            let questionnaireID: UUID
            let version: Int
            let key: String
        }
        var entries: [Entry] = []
        var index: [Combination: Int] = [:]
        var combinationOf: [Asked: Int] = [:]
        for published in definitions {
            for question in published.definition.questions {
                let combination = Combination(question)
                let position: Int
                if let found = index[combination] {
                    position = found
                } else {
                    position = entries.count
                    index[combination] = position
                    entries.append(Entry(question: question))
                }
                for option in question.options where entries[position].labels[option.code] == nil {
                    entries[position].labels[option.code] = option.label
                    entries[position].optionOrder.append(option.code)
                }
                combinationOf[Asked(questionnaireID: published.questionnaireID, version: published.number, key: question.key)] = position
            }
        }
        for tally in tallies {
            guard let position = combinationOf[Asked(questionnaireID: tally.questionnaireID, version: tally.version, key: tally.questionKey)] else {
                continue
            }
            entries[position].respondents += tally.respondents
            entries[position].optionCounts.merge(tally.optionCounts, uniquingKeysWith: +)
            entries[position].ratingCounts.merge(tally.ratingCounts, uniquingKeysWith: +)
        }
        let questions = entries.map { entry -> QuestionStatistics in
            let question = entry.question
            let respondents = entry.respondents
            var statistics = QuestionStatistics(key: question.key, kind: question.kind, text: question.text, respondents: respondents,
                                                options: [], scale: nil, average: nil, distribution: [])
            switch question.kind {
            case .singleChoice, .multipleChoice:
                statistics.options = entry.optionOrder.map { code in
                    let count = entry.optionCounts[code] ?? 0
                    return OptionStatistics(code: code, label: entry.labels[code] ?? code, count: count, percent: percent(count, of: respondents))
                }
            case .rating:
                let scale = question.scale ?? RatingScale(min: 0, max: 0)
                statistics.scale = question.scale
                let values = Set(scale.min...scale.max).union(entry.ratingCounts.keys).sorted()
                statistics.distribution = values.map { value in
                    let count = entry.ratingCounts[value] ?? 0
                    return RatingValueStatistics(value: value, count: count, percent: percent(count, of: respondents))
                }
                let sum = entry.ratingCounts.reduce(0) { $0 + $1.key * $1.value }
                statistics.average = average(sum: sum, count: entry.ratingCounts.values.reduce(0, +))
            case .freeText:
                break
            }
            return statistics
        }
        return QuestionnaireStatistics(responses: responses, questions: questions)
    }
}
