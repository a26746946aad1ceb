import EstateLogic
import Foundation
import Testing

private func id(_ n: Int) -> UUID {
    let digits = String(n)
    return UUID(uuidString: "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
}

private let projectA = id(100)
private let projectB = id(200)
private let owner = id(300)

private func rule(_ n: Int, _ fieldSets: [Set<DuplicateField>], _ action: DuplicateAction = .block, project: UUID? = nil,
                  active: Bool = true) -> DuplicateRule {
    DuplicateRule(id: id(n), projectID: project, name: "rule \(n)", fieldSets: fieldSets, action: action, active: active)
}

private func customer(_ n: Int, project: UUID = projectA, name: String = "", phones: [String] = [],
                      idNumber: String? = nil) -> DuplicateCandidate {
    DuplicateCandidate(customerID: id(n), projectID: project, ownerID: owner,
                       identity: .of(name: name, phones: phones, idNumber: idNumber))
}

/// The (customer, rule) numbers that match, in order.
private func matched(_ identity: CustomerIdentity, in project: UUID = projectA, _ candidates: [DuplicateCandidate],
                     _ rules: [DuplicateRule]) -> [[UUID]] {
    DuplicateCheck.matches(for: identity, projectID: project, candidates: candidates, rules: rules)
        .map { [$0.candidate.customerID, $0.rule.id] }
}

@Suite("Duplicate customers")
struct DuplicateCheckTests {
    @Test func codesAreStable() {
        #expect(DuplicateField.allCases.map(\.rawValue) == ["phone", "id_number", "name"])
        #expect(DuplicateAction.allCases.map(\.rawValue) == ["warn", "approve", "block"])
    }

    @Test func actionsAreOrderedByStrictness() {
        #expect(DuplicateAction.warn < .approve)
        #expect(DuplicateAction.approve < .block)
        #expect(DuplicateAction.warn < .block)
        #expect(!(DuplicateAction.block < .block))
        #expect([DuplicateAction.block, .warn, .approve].sorted() == [.warn, .approve, .block])
        #expect([DuplicateAction.warn, .approve].max() == .approve)
    }

    @Test func acceptableRule() {
        #expect(DuplicateRule.violations(name: "Same phone", fieldSets: [["phone"]]) == [])
        #expect(DuplicateRule.violations(name: "ID or name and phone", fieldSets: [["id_number"], ["name", "phone"]]) == [])
        #expect(DuplicateRule.violations(name: String(repeating: "名", count: 100),
                                         fieldSets: Array(repeating: ["phone", "id_number", "name"], count: 10)) == [])
    }

    @Test func ruleViolationsNameTheirFields() {
        func fields(_ name: String, _ fieldSets: [[String]]) -> [String] {
            DuplicateRule.violations(name: name, fieldSets: fieldSets).map(\.field)
        }
        #expect(fields("", [["phone"]]) == ["name"])
        #expect(fields(" \t ", [["phone"]]) == ["name"])
        #expect(fields(String(repeating: "a", count: 101), [["phone"]]) == ["name"])
        #expect(fields("r", []) == ["fieldSets"])
        #expect(fields("r", Array(repeating: ["phone"], count: 11)) == ["fieldSets"])
        #expect(fields("r", [["phone"], []]) == ["fieldSets[1]"])
        #expect(fields("r", [["phone", "name", "id_number", "phone"]]) == ["fieldSets[0]", "fieldSets[0][3]"])
        #expect(fields("r", [["phone"], ["name", "email"]]) == ["fieldSets[1][1]"])
        #expect(fields("r", [["Phone"], ["idNumber"]]) == ["fieldSets[0][0]", "fieldSets[1][0]"])
        #expect(fields("r", [["name", "name"]]) == ["fieldSets[0][1]"])
        #expect(fields("", []) == ["name", "fieldSets"])
        #expect(DuplicateRule.violations(name: "r", fieldSets: [["email"]])
            == [FieldViolation(field: "fieldSets[0][0]", message: "email is not one of phone, id_number, name")])
        #expect(DuplicateRule.violations(name: "r", fieldSets: [["name", "phone", "name"]])
            == [FieldViolation(field: "fieldSets[0][2]", message: "name is already fieldSets[0][0]")])
    }

    @Test func identityIsNormalised() {
        let identity = CustomerIdentity.of(name: "  ＺＨＡＮＧ　 San ", phones: ["+86 138 0013 8000", "（138）0013 8000",
                                                                          "not a phone", "", "010-6552 8888"],
                                           idNumber: " 11010519491231002x ")
        #expect(identity == CustomerIdentity(name: "zhang san", phones: ["13800138000", "01065528888"],
                                             idNumber: "11010519491231002X"))
        #expect(CustomerIdentity.of(name: "", phones: [], idNumber: nil) == CustomerIdentity(name: "", phones: [], idNumber: nil))
        #expect(CustomerIdentity.of(name: "a", phones: [], idNumber: "  ").idNumber == nil)
        #expect(CustomerIdentity.of(name: "a", phones: [], idNumber: "").idNumber == nil)
    }

    @Test func samePhoneWrittenAnotherWayMatches() {
        let existing = customer(1, phones: ["138-0013-8000"])
        let new = CustomerIdentity.of(name: "", phones: ["1", "0086 13800138000"], idNumber: nil)
        let matches = DuplicateCheck.matches(for: new, projectID: projectA, candidates: [existing], rules: [rule(10, [[.phone]])])
        #expect(matches == [DuplicateMatch(candidate: existing, rule: rule(10, [[.phone]]), fields: [.phone])])
        #expect(matches.first?.candidate.ownerID == owner, "a match says who owns the customer")
        #expect(matched(.of(name: "", phones: ["13800138001"], idNumber: nil), [existing], [rule(10, [[.phone]])]) == [])
        #expect(matched(.of(name: "", phones: [], idNumber: nil), [customer(2)], [rule(10, [[.phone]])]) == [],
                "no phones on either side is no match")
    }

    @Test func idNumberMustBePresentAndEqual() {
        let rules = [rule(10, [[.idNumber]])]
        let existing = customer(1, idNumber: "11010519491231002X")
        #expect(matched(.of(name: "", phones: [], idNumber: "110105 19491231002x"), [existing], rules) == [[id(1), id(10)]])
        #expect(matched(.of(name: "", phones: [], idNumber: "440524188001010014"), [existing], rules) == [])
        #expect(matched(.of(name: "", phones: [], idNumber: nil), [customer(2)], rules) == [])
        #expect(matched(CustomerIdentity(name: "", phones: [], idNumber: ""),
                        [DuplicateCandidate(customerID: id(3), projectID: projectA, ownerID: nil,
                                            identity: CustomerIdentity(name: "", phones: [], idNumber: ""))], rules) == [])
    }

    @Test func nameAndPhoneMustBothMatch() {
        let rules = [rule(10, [[.name, .phone]])]
        let existing = customer(1, name: "张三", phones: ["13800138000", "13900139000"])
        #expect(matched(.of(name: " 张三", phones: ["139 0013 9000"], idNumber: nil), [existing], rules) == [[id(1), id(10)]])
        #expect(matched(.of(name: "张三", phones: ["13700137000"], idNumber: nil), [existing], rules) == [])
        #expect(matched(.of(name: "李四", phones: ["13800138000"], idNumber: nil), [existing], rules) == [])
        #expect(matched(.of(name: "", phones: ["13800138000"], idNumber: nil), [customer(2, phones: ["13800138000"])], rules) == [],
                "empty names are no match")
        #expect(matched(.of(name: "John SMITH", phones: ["13800138000"], idNumber: nil),
                        [customer(3, name: "john  smith", phones: ["+8613800138000"])], rules) == [[id(3), id(10)]])
    }

    @Test func theFirstMatchingFieldSetIsReported() {
        let existing = customer(1, name: "张三", phones: ["13800138000"], idNumber: "11010519491231002X")
        let both = CustomerIdentity.of(name: "张三", phones: ["13800138000"], idNumber: "11010519491231002X")
        let phoneOnly = CustomerIdentity.of(name: "张三", phones: ["13800138000"], idNumber: nil)
        let sets: [Set<DuplicateField>] = [[.idNumber], [.name, .phone], [.phone]]
        func fields(_ identity: CustomerIdentity) -> [Set<DuplicateField>] {
            DuplicateCheck.matches(for: identity, projectID: projectA, candidates: [existing], rules: [rule(10, sets)]).map(\.fields)
        }
        #expect(fields(both) == [[.idNumber]], "one match per candidate and rule")
        #expect(fields(phoneOnly) == [[.name, .phone]])
        #expect(fields(.of(name: "李四", phones: ["13800138000"], idNumber: nil)) == [[.phone]])
        #expect(fields(.of(name: "张三", phones: [], idNumber: nil)) == [])
    }

    @Test func anEmptyFieldSetMatchesNothing() {
        #expect(matched(.of(name: "a", phones: ["13800138000"], idNumber: nil), [customer(1, name: "a", phones: ["13800138000"])],
                        [rule(10, [[]])]) == [])
    }

    @Test func inactiveRulesAreIgnored() {
        let existing = customer(1, phones: ["13800138000"])
        let new = CustomerIdentity.of(name: "", phones: ["13800138000"], idNumber: nil)
        #expect(matched(new, [existing], [rule(10, [[.phone]], active: false)]) == [])
        #expect(matched(new, [existing], [rule(10, [[.phone]], active: false), rule(11, [[.phone]], .warn)]) == [[id(1), id(11)]])
    }

    @Test func projectRulesApplyInTheirProjectOnly() {
        let inA = customer(1, project: projectA, phones: ["13800138000"])
        let inB = customer(2, project: projectB, phones: ["13800138000"])
        let new = CustomerIdentity.of(name: "", phones: ["13800138000"], idNumber: nil)
        let groupRule = rule(10, [[.phone]], .warn)
        let ruleOfA = rule(11, [[.phone]], .block, project: projectA)
        #expect(matched(new, in: projectA, [inA, inB], [ruleOfA]) == [[id(1), id(11)]], "only candidates of the same project")
        #expect(matched(new, in: projectB, [inA, inB], [ruleOfA]) == [], "not a rule of the project being saved in")
        #expect(matched(new, in: projectB, [inA, inB], [groupRule]) == [[id(1), id(10)], [id(2), id(10)]], "group-wide")
        #expect(matched(new, in: projectA, [inA, inB], [groupRule, ruleOfA]) == [[id(1), id(11)], [id(1), id(10)], [id(2), id(10)]])
    }

    @Test func strictestFirstThenByCustomer() {
        let candidates = [customer(3, phones: ["13800138000"]), customer(1, phones: ["13800138000"], idNumber: "E12345678"),
                          customer(2, name: "a", phones: ["13800138000"])]
        let new = CustomerIdentity.of(name: "A", phones: ["13800138000"], idNumber: "e12345678")
        let rules = [rule(10, [[.phone]], .warn), rule(11, [[.idNumber]], .block), rule(12, [[.name, .phone]], .approve),
                     rule(13, [[.phone]], .warn)]
        let matches = DuplicateCheck.matches(for: new, projectID: projectA, candidates: candidates, rules: rules)
        #expect(matches.map { [$0.candidate.customerID, $0.rule.id] } == [
            [id(1), id(11)],
            [id(2), id(12)],
            [id(1), id(10)], [id(1), id(13)], [id(2), id(10)], [id(2), id(13)], [id(3), id(10)], [id(3), id(13)],
        ])
        #expect(DuplicateCheck.outcome(matches) == .block)
        #expect(DuplicateCheck.outcome(Array(matches.dropFirst())) == .approve)
        #expect(DuplicateCheck.outcome(Array(matches.dropFirst(2))) == .warn)
        #expect(DuplicateCheck.outcome([]) == nil)
        #expect(DuplicateCheck.matches(for: new, projectID: projectA, candidates: [], rules: rules) == [])
        #expect(DuplicateCheck.matches(for: new, projectID: projectA, candidates: candidates, rules: []) == [])
    }
}
