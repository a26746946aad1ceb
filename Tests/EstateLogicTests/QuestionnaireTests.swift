import EstateLogic
import Foundation
import Testing

/// The visit survey the tests share: a required single choice, a multiple choice, a required 1–5
/// rating and a free text.
private let visit = QuestionnaireDefinition(title: "Visit survey", type: "visit", questions: [
    Question(key: "heard", kind: .singleChoice, text: "How did you hear of us?", required: true, options: [
        QuestionOption(code: "online", label: "Online"), QuestionOption(code: "friend", label: "A friend"),
        QuestionOption(code: "outdoor", label: "Outdoor ads"),
    ]),
    Question(key: "likes", kind: .multipleChoice, text: "What do you like?", options: [
        QuestionOption(code: "school", label: "School"), QuestionOption(code: "transport", label: "Transport"),
        QuestionOption(code: "price", label: "Price"), QuestionOption(code: "view", label: "View"),
    ]),
    Question(key: "score", kind: .rating, text: "Your overall impression", required: true, scale: RatingScale(min: 1, max: 5)),
    Question(key: "remarks", kind: .freeText, text: "Anything else?"),
])

private func option(_ code: String) -> QuestionOption { QuestionOption(code: code, label: code.capitalized) }

@Suite("Questionnaire definitions")
struct QuestionnaireDefinitionTests {
    func fields(_ definition: QuestionnaireDefinition) -> [String] { definition.violations().map(\.field) }

    func with(_ questions: [Question], title: String = "T", type: String = "visit") -> QuestionnaireDefinition {
        QuestionnaireDefinition(title: title, type: type, questions: questions)
    }

    @Test func acceptsTheVisitSurveyAndTheLimits() {
        #expect(visit.violations().isEmpty)
        let hundred = (0..<100).map { Question(key: "q\($0)", kind: .freeText, text: "Question \($0)") }
        #expect(fields(with(hundred)).isEmpty)
        let fifty = (0..<50).map { QuestionOption(code: "o\($0)", label: "Option \($0)") }
        #expect(fields(with([Question(key: "a", kind: .multipleChoice, text: "t", options: fifty)])).isEmpty)
        #expect(fields(with([Question(key: "a", kind: .singleChoice, text: "t", options: [option("1"), option("b-2")])])).isEmpty)
        #expect(fields(with([Question(key: "a", kind: .rating, text: "t", scale: RatingScale(min: 0, max: 100))])).isEmpty)
        #expect(fields(with([Question(key: "a", kind: .rating, text: "t", scale: RatingScale(min: 99, max: 100))])).isEmpty)
        #expect(fields(with([Question(key: "a", kind: .freeText, text: String(repeating: "字", count: 500))],
                           title: String(repeating: "题", count: 200), type: String(repeating: "t", count: 63))).isEmpty)
    }

    @Test func questionCountIsOneToAHundred() {
        #expect(fields(with([])) == ["questions"])
        let many = (0..<101).map { Question(key: "q\($0)", kind: .freeText, text: "Question \($0)") }
        #expect(fields(with(many)) == ["questions"])
    }

    @Test func keysAreWellFormedAndUnique() {
        for key in ["", "1a", "_a", "A", "a-b", "a b", "é", String(repeating: "k", count: 64)] {
            #expect(fields(with([Question(key: key, kind: .freeText, text: "t")])) == ["questions[0].key"], "\(key)")
        }
        let twice = with([Question(key: "a", kind: .freeText, text: "t"), Question(key: "b", kind: .freeText, text: "t"),
                          Question(key: "a", kind: .freeText, text: "t")])
        #expect(twice.violations() == [FieldViolation(field: "questions[2].key", message: "is the key of questions[0] too")])
    }

    @Test func titlesTextsAndTypes() {
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "t")], title: " \t")) == ["title"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "t")], title: String(repeating: "x", count: 201))) == ["title"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "t")], title: "a\u{7}b")) == ["title"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "t")], type: "")) == ["type"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "t")], type: "Visit")) == ["type"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "")])) == ["questions[0].text"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: "line\nbreak")])) == ["questions[0].text"])
        #expect(fields(with([Question(key: "a", kind: .freeText, text: String(repeating: "x", count: 501))])) == ["questions[0].text"])
    }

    @Test func choiceQuestionsNeedTwoToFiftyDistinctOptions() {
        #expect(fields(with([Question(key: "a", kind: .singleChoice, text: "t", options: [option("x")])])) == ["questions[0].options"])
        #expect(fields(with([Question(key: "a", kind: .multipleChoice, text: "t")])) == ["questions[0].options"])
        let many = (0..<51).map { QuestionOption(code: "o\($0)", label: "Option") }
        #expect(fields(with([Question(key: "a", kind: .multipleChoice, text: "t", options: many)])) == ["questions[0].options"])
        let repeated = with([Question(key: "a", kind: .freeText, text: "t"),
                             Question(key: "b", kind: .singleChoice, text: "t", options: [option("x"), option("y"), option("x")])])
        #expect(repeated.violations() == [FieldViolation(field: "questions[1].options[2].code", message: "is the code of options[0] too")])
        for code in ["", "-x", "_x", "X", "x y", String(repeating: "c", count: 64)] {
            #expect(fields(with([Question(key: "a", kind: .singleChoice, text: "t", options: [option("ok"), QuestionOption(code: code, label: "L")])]))
                    == ["questions[0].options[1].code"], "\(code)")
        }
        #expect(fields(with([Question(key: "a", kind: .singleChoice, text: "t", options: [option("x"), QuestionOption(code: "y", label: " ")])]))
                == ["questions[0].options[1].label"])
        #expect(fields(with([Question(key: "a", kind: .singleChoice, text: "t", options: [option("x"), option("y")],
                                      scale: RatingScale(min: 1, max: 5))])) == ["questions[0].scale"])
    }

    @Test func ratingScalesStayWithinZeroToAHundred() {
        func scale(_ min: Int, _ max: Int) -> [String] {
            fields(with([Question(key: "r", kind: .rating, text: "t", scale: RatingScale(min: min, max: max))]))
        }
        #expect(scale(1, 5).isEmpty)
        #expect(scale(0, 10).isEmpty)
        #expect(scale(5, 5) == ["questions[0].scale.max"])
        #expect(scale(5, 1) == ["questions[0].scale.max"])
        #expect(scale(-1, 5) == ["questions[0].scale.min"])
        #expect(scale(0, 101) == ["questions[0].scale.max"])
        #expect(scale(-1, 101) == ["questions[0].scale.min", "questions[0].scale.max"])
        #expect(fields(with([Question(key: "r", kind: .rating, text: "t")])) == ["questions[0].scale"])
        #expect(fields(with([Question(key: "r", kind: .rating, text: "t", options: [option("x"), option("y")],
                                      scale: RatingScale(min: 1, max: 5))])) == ["questions[0].options"])
        #expect(fields(with([Question(key: "f", kind: .freeText, text: "t", scale: RatingScale(min: 1, max: 5))])) == ["questions[0].scale"])
        #expect(fields(with([Question(key: "f", kind: .freeText, text: "t", options: [option("x"), option("y")])])) == ["questions[0].options"])
    }

    @Test(arguments: ["ab", "a-", "12", "visit-2026", String(repeating: "z", count: 63)])
    func acceptsQuestionnaireCodes(code: String) {
        #expect(Questionnaire.isCode(code))
    }

    @Test(arguments: ["", "a", "-ab", "Ab", "a_b", "a b", "ä1", String(repeating: "a", count: 64)])
    func refusesQuestionnaireCodes(code: String) {
        #expect(!Questionnaire.isCode(code))
    }
}

@Suite("Questionnaire responses")
struct QuestionnaireResponseTests {
    func fields(_ inputs: [AnswerInput]) -> [String] { visit.answers(inputs).violations.map(\.field) }

    let heard = AnswerInput(questionKey: "heard", options: ["online"])
    let score = AnswerInput(questionKey: "score", rating: 4)

    @Test func validAnswersComeInTheDefinitionsOrder() {
        let result = visit.answers([
            AnswerInput(questionKey: "remarks", text: "  Lovely view\nbut far  "), score,
            AnswerInput(questionKey: "likes", options: ["price", "school"]), heard,
        ])
        #expect(result.violations.isEmpty)
        #expect(result.answers == [
            Answer(questionKey: "heard", position: 0, kind: .singleChoice, options: ["online"]),
            Answer(questionKey: "likes", position: 1, kind: .multipleChoice, options: ["price", "school"]),
            Answer(questionKey: "score", position: 2, kind: .rating, rating: 4),
            Answer(questionKey: "remarks", position: 3, kind: .freeText, text: "Lovely view\nbut far"),
        ])
        #expect(visit.answers([heard, score]).answers.count == 2)
    }

    @Test func requiredQuestionsMustBeAnswered() {
        #expect(visit.answers([heard]).violations == [FieldViolation(field: "answers", message: "the required question 'score' is not answered")])
        #expect(fields([AnswerInput(questionKey: "remarks", text: "x")]) == ["answers", "answers"])
        #expect(fields([]) == ["answers"])
    }

    @Test func unknownAndRepeatedKeysAreRefused() {
        #expect(fields([heard, score, AnswerInput(questionKey: "budget", text: "x")]) == ["answers[2].questionKey"])
        #expect(visit.answers([heard, score, AnswerInput(questionKey: "heard", options: ["friend"])]).violations
                == [FieldViolation(field: "answers[2].questionKey", message: "is answered by answers[0] too")])
    }

    @Test func singleChoiceTakesExactlyOneKnownOption() {
        #expect(fields([AnswerInput(questionKey: "heard", options: ["online", "friend"]), score]) == ["answers[0].options"])
        #expect(fields([AnswerInput(questionKey: "heard", options: []), score]) == ["answers[0].options"])
        #expect(fields([AnswerInput(questionKey: "heard"), score]) == ["answers[0].options"])
        #expect(fields([AnswerInput(questionKey: "heard", options: ["tv"]), score]) == ["answers[0].options[0]"])
        #expect(fields([score, AnswerInput(questionKey: "heard", options: ["online"], rating: 3)]) == ["answers[1].rating"])
        #expect(fields([AnswerInput(questionKey: "heard", options: ["online"], text: "x"), score]) == ["answers[0].text"])
    }

    @Test func multipleChoiceTakesDistinctKnownOptions() {
        #expect(fields([heard, score, AnswerInput(questionKey: "likes", options: ["school", "transport", "price", "view"])]).isEmpty)
        #expect(fields([heard, score, AnswerInput(questionKey: "likes", options: [])]) == ["answers[2].options"])
        #expect(fields([heard, score, AnswerInput(questionKey: "likes", options: ["school", "pool", "school"])])
                == ["answers[2].options[1]", "answers[2].options[2]"])
        #expect(visit.answers([heard, score, AnswerInput(questionKey: "likes", options: ["view", "view"])]).violations
                == [FieldViolation(field: "answers[2].options[1]", message: "is options[0] again")])
    }

    @Test func ratingsAreWholeNumbersOnTheScale() {
        for rating in 1...5 { #expect(fields([heard, AnswerInput(questionKey: "score", rating: rating)]).isEmpty) }
        #expect(fields([heard, AnswerInput(questionKey: "score", rating: 0)]) == ["answers[1].rating"])
        #expect(fields([heard, AnswerInput(questionKey: "score", rating: 6)]) == ["answers[1].rating"])
        #expect(fields([heard, AnswerInput(questionKey: "score")]) == ["answers[1].rating"])
        #expect(fields([heard, AnswerInput(questionKey: "score", options: ["5"], rating: 5)]) == ["answers[1].options"])
    }

    @Test func freeTextIsOneToTwoThousandCharacters() {
        func text(_ value: String) -> [String] { fields([heard, score, AnswerInput(questionKey: "remarks", text: value)]) }
        #expect(text("x").isEmpty)
        #expect(text(String(repeating: "好", count: 2000)).isEmpty)
        #expect(text("tab\tand\r\nlines").isEmpty)
        #expect(text(String(repeating: "好", count: 2001)) == ["answers[2].text"])
        #expect(text("") == ["answers[2].text"])
        #expect(text(" \n ") == ["answers[2].text"])
        #expect(text("bell\u{7}") == ["answers[2].text"])
        #expect(text("nul\u{0}") == ["answers[2].text"])
        // Limits count Unicode scalars (as JSON Schema's maxLength does): é written as e + combining accent counts twice.
        #expect(text(String(repeating: "e\u{301}", count: 1000)).isEmpty)
        #expect(text(String(repeating: "e\u{301}", count: 1000) + "x") == ["answers[2].text"])
        #expect(fields([heard, score, AnswerInput(questionKey: "remarks")]) == ["answers[2].text"])
        #expect(fields([heard, score, AnswerInput(questionKey: "remarks", rating: 1, text: "x")]) == ["answers[2].rating"])
    }

    @Test func everyFaultIsReportedAtOnce() {
        let result = visit.answers([
            AnswerInput(questionKey: "heard", options: ["tv"]), AnswerInput(questionKey: "nope", rating: 1),
            AnswerInput(questionKey: "remarks", text: ""),
        ])
        #expect(result.answers.isEmpty)
        #expect(result.violations.map(\.field) == ["answers[0].options[0]", "answers[1].questionKey", "answers[2].text", "answers"])
    }
}

@Suite("Questionnaire statistics")
struct QuestionnaireStatisticsTests {
    let q1 = UUID(uuidString: "00000000-0000-7000-8000-000000000001")!
    let q2 = UUID(uuidString: "00000000-0000-7000-8000-000000000002")!

    @Test func percentagesAreExactAndRoundHalfAwayFromZero() {
        #expect(QuestionnaireStatistics.percent(4, of: 7) == "57.14")
        #expect(QuestionnaireStatistics.percent(2, of: 7) == "28.57")
        #expect(QuestionnaireStatistics.percent(1, of: 7) == "14.29")
        #expect(QuestionnaireStatistics.percent(1, of: 3) == "33.33")
        #expect(QuestionnaireStatistics.percent(2, of: 3) == "66.67")
        #expect(QuestionnaireStatistics.percent(1, of: 6) == "16.67")
        #expect(QuestionnaireStatistics.percent(1, of: 8) == "12.50")
        #expect(QuestionnaireStatistics.percent(1, of: 16) == "6.25")
        #expect(QuestionnaireStatistics.percent(1, of: 32) == "3.13")   // 3.125: the half rounds up
        #expect(QuestionnaireStatistics.percent(3, of: 32) == "9.38")   // 9.375
        #expect(QuestionnaireStatistics.percent(1, of: 64) == "1.56")   // 1.5625
        #expect(QuestionnaireStatistics.percent(1, of: 800) == "0.13")  // 0.125
        #expect(QuestionnaireStatistics.percent(1, of: 1600) == "0.06") // 0.0625
        #expect(QuestionnaireStatistics.percent(1, of: 20001) == "0.00")
        #expect(QuestionnaireStatistics.percent(0, of: 5) == "0.00")
        #expect(QuestionnaireStatistics.percent(5, of: 5) == "100.00")
        #expect(QuestionnaireStatistics.percent(3, of: 2) == "150.00")
        #expect(QuestionnaireStatistics.percent(0, of: 0) == nil)
        #expect(QuestionnaireStatistics.percent(2_999_999, of: 3_000_000) == "100.00")   // 99.99997
        #expect(QuestionnaireStatistics.percent(2_999_699, of: 3_000_000) == "99.99")    // 99.98997
    }

    @Test func averagesAreExactAndRoundHalfAwayFromZero() {
        #expect(QuestionnaireStatistics.average(sum: 26, count: 7) == "3.71")   // 3.714285…
        #expect(QuestionnaireStatistics.average(sum: 22, count: 6) == "3.67")
        #expect(QuestionnaireStatistics.average(sum: 7, count: 2) == "3.50")
        #expect(QuestionnaireStatistics.average(sum: 5, count: 8) == "0.63")   // 0.625
        #expect(QuestionnaireStatistics.average(sum: 1, count: 3) == "0.33")
        #expect(QuestionnaireStatistics.average(sum: 2, count: 3) == "0.67")
        #expect(QuestionnaireStatistics.average(sum: 100, count: 1) == "100.00")
        #expect(QuestionnaireStatistics.average(sum: -5, count: 8) == "-0.63")  // away from zero
        #expect(QuestionnaireStatistics.average(sum: 0, count: 0) == nil)
    }

    /// Seven responses: heard online ×4, friend ×2, outdoor ×1; likes answered by five (school 3,
    /// transport 2, price 3, view 0); scores 5, 4, 4, 3, 2, 5, 3; four remarks.
    @Test func oneQuestionnaireOnAKnownAnswerSet() {
        let tallies = [
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "heard", respondents: 7,
                        optionCounts: ["online": 4, "friend": 2, "outdoor": 1]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "likes", respondents: 5,
                        optionCounts: ["school": 3, "transport": 2, "price": 3]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "score", respondents: 7, ratingCounts: [5: 2, 4: 2, 3: 2, 2: 1]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "remarks", respondents: 4),
        ]
        let result = QuestionnaireStatistics.compute(definitions: [PublishedDefinition(questionnaireID: q1, number: 1, definition: visit)],
                                                     tallies: tallies, responses: 7)
        #expect(result.responses == 7)
        #expect(result.questions.map(\.key) == ["heard", "likes", "score", "remarks"])
        let heard = result.questions[0]
        #expect(heard.kind == .singleChoice && heard.respondents == 7 && heard.text == "How did you hear of us?")
        #expect(heard.options == [
            OptionStatistics(code: "online", label: "Online", count: 4, percent: "57.14"),
            OptionStatistics(code: "friend", label: "A friend", count: 2, percent: "28.57"),
            OptionStatistics(code: "outdoor", label: "Outdoor ads", count: 1, percent: "14.29"),
        ])
        let likes = result.questions[1]
        #expect(likes.respondents == 5)
        #expect(likes.options.map(\.count) == [3, 2, 3, 0])
        #expect(likes.options.map(\.percent) == ["60.00", "40.00", "60.00", "0.00"])
        let score = result.questions[2]
        #expect(score.respondents == 7 && score.scale == RatingScale(min: 1, max: 5))
        #expect(score.average == "3.71")
        #expect(score.distribution == [
            RatingValueStatistics(value: 1, count: 0, percent: "0.00"), RatingValueStatistics(value: 2, count: 1, percent: "14.29"),
            RatingValueStatistics(value: 3, count: 2, percent: "28.57"), RatingValueStatistics(value: 4, count: 2, percent: "28.57"),
            RatingValueStatistics(value: 5, count: 2, percent: "28.57"),
        ])
        let remarks = result.questions[3]
        #expect(remarks.kind == .freeText && remarks.respondents == 4 && remarks.options.isEmpty && remarks.average == nil)
    }

    @Test func questionsNobodyAnsweredHaveCountsButNoPercentages() {
        let result = QuestionnaireStatistics.compute(definitions: [PublishedDefinition(questionnaireID: q1, number: 1, definition: visit)],
                                                     tallies: [], responses: 0)
        #expect(result.questions.map(\.respondents) == [0, 0, 0, 0])
        #expect(result.questions[0].options.map(\.count) == [0, 0, 0])
        #expect(result.questions[0].options.allSatisfy { $0.percent == nil })
        #expect(result.questions[2].average == nil)
        #expect(result.questions[2].distribution.map(\.value) == [1, 2, 3, 4, 5])
    }

    /// Version 2 renames an option, adds one, drops `outdoor` and moves the rating to 0–10: choices
    /// combine by code with the newest labels and order, the rating on another scale stays apart.
    @Test func versionsCombineByKeyKindAndScale() {
        let v2 = QuestionnaireDefinition(title: "Visit survey", type: "visit", questions: [
            Question(key: "score", kind: .rating, text: "How likely are you to recommend us?", scale: RatingScale(min: 0, max: 10)),
            Question(key: "heard", kind: .singleChoice, text: "Where did you hear of us?", options: [
                QuestionOption(code: "agency", label: "An agency"), QuestionOption(code: "online", label: "Online ads"),
                QuestionOption(code: "friend", label: "A friend"),
            ]),
            Question(key: "remarks", kind: .multipleChoice, text: "Remarks", options: [option("a"), option("b")]),
        ])
        let definitions = [PublishedDefinition(questionnaireID: q1, number: 2, definition: v2),
                           PublishedDefinition(questionnaireID: q1, number: 1, definition: visit)]
        let tallies = [
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "heard", respondents: 4, optionCounts: ["online": 2, "friend": 1, "outdoor": 1]),
            AnswerTally(questionnaireID: q1, version: 2, questionKey: "heard", respondents: 2, optionCounts: ["agency": 1, "online": 1]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "score", respondents: 4, ratingCounts: [4: 3, 5: 1]),
            AnswerTally(questionnaireID: q1, version: 2, questionKey: "score", respondents: 2, ratingCounts: [9: 1, 10: 1]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "remarks", respondents: 3),
            AnswerTally(questionnaireID: q1, version: 2, questionKey: "remarks", respondents: 1, optionCounts: ["b": 1]),
        ]
        let result = QuestionnaireStatistics.compute(definitions: definitions, tallies: tallies, responses: 6)
        #expect(result.questions.map { "\($0.key):\($0.kind.rawValue)" }
                == ["score:rating", "heard:single_choice", "remarks:multiple_choice", "likes:multiple_choice", "score:rating", "remarks:free_text"])
        let heard = result.questions[1]
        #expect(heard.text == "Where did you hear of us?")
        #expect(heard.respondents == 6)
        #expect(heard.options == [
            OptionStatistics(code: "agency", label: "An agency", count: 1, percent: "16.67"),
            OptionStatistics(code: "online", label: "Online ads", count: 3, percent: "50.00"),
            OptionStatistics(code: "friend", label: "A friend", count: 1, percent: "16.67"),
            OptionStatistics(code: "outdoor", label: "Outdoor ads", count: 1, percent: "16.67"),
        ])
        // 0–10 (version 2): 9 and 10; 1–5 (version 1): 4, 4, 4, 5.
        #expect(result.questions[0].scale == RatingScale(min: 0, max: 10))
        #expect(result.questions[0].average == "9.50" && result.questions[0].respondents == 2)
        #expect(result.questions[0].distribution.count == 11)
        #expect(result.questions[4].scale == RatingScale(min: 1, max: 5))
        #expect(result.questions[4].average == "4.25" && result.questions[4].respondents == 4)
        #expect(result.questions[4].distribution.map(\.count) == [0, 0, 0, 3, 1])
        #expect(result.questions[4].distribution.map(\.percent) == ["0.00", "0.00", "0.00", "75.00", "25.00"])
        // The key `remarks` asked as free text (v1) and as a choice (v2) counts apart.
        #expect(result.questions[2].respondents == 1 && result.questions[2].options.map(\.count) == [0, 1])
        #expect(result.questions[5].respondents == 3)
        #expect(result.questions[3].respondents == 0)
    }

    /// Two questionnaires with the same 1–5 `score`: 5, 4, 4 and 1, 2 average 16 / 5 = 3.20.
    @Test func severalQuestionnairesCombine() {
        let other = QuestionnaireDefinition(title: "Satisfaction", type: "satisfaction", questions: [
            Question(key: "score", kind: .rating, text: "How satisfied are you?", scale: RatingScale(min: 1, max: 5)),
            Question(key: "heard", kind: .singleChoice, text: "Heard?", options: [option("friend"), option("tv")]),
        ])
        let definitions = [PublishedDefinition(questionnaireID: q1, number: 1, definition: visit),
                           PublishedDefinition(questionnaireID: q2, number: 1, definition: other)]
        let tallies = [
            AnswerTally(questionnaireID: q2, version: 1, questionKey: "score", respondents: 2, ratingCounts: [1: 1, 2: 1]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "score", respondents: 3, ratingCounts: [5: 1, 4: 2]),
            AnswerTally(questionnaireID: q2, version: 1, questionKey: "heard", respondents: 2, optionCounts: ["tv": 2]),
            AnswerTally(questionnaireID: q1, version: 1, questionKey: "heard", respondents: 3, optionCounts: ["online": 1, "friend": 2]),
            // An answer to a question no definition has (cannot be stored) is left out.
            AnswerTally(questionnaireID: q2, version: 7, questionKey: "score", respondents: 9, ratingCounts: [1: 9]),
        ]
        let result = QuestionnaireStatistics.compute(definitions: definitions, tallies: tallies, responses: 5)
        #expect(result.questions.map(\.key) == ["heard", "likes", "score", "remarks"])
        let score = result.questions[2]
        #expect(score.text == "Your overall impression")
        #expect(score.respondents == 5 && score.average == "3.20")
        #expect(score.distribution.map(\.count) == [1, 1, 0, 2, 1])
        #expect(score.distribution.map(\.percent) == ["20.00", "20.00", "0.00", "40.00", "20.00"])
        let heard = result.questions[0]
        #expect(heard.respondents == 5)
        #expect(heard.options.map(\.code) == ["online", "friend", "outdoor", "tv"])
        #expect(heard.options.map(\.count) == [1, 2, 0, 2])
        #expect(heard.options.map(\.percent) == ["20.00", "40.00", "0.00", "40.00"])
        #expect(heard.options[3].label == "Tv")
    }
}
