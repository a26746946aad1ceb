import EstateLogic
import Foundation
import Testing

private func id(_ n: Int) -> UUID {
    let digits = String(n)
    return UUID(uuidString: "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
}

private let project = id(100)
private let otherProject = id(200)
private let caller = id(300)
private let colleague = id(301)

private func profile(_ name: String, source: String = "walk_in", phones: [String] = [], idNumber: String? = nil) -> CustomerProfile {
    CustomerProfile(name: name, phones: phones.map { CustomerPhone(number: $0) }, idType: idNumber == nil ? nil : .other,
                    idNumber: idNumber, source: source)
}

private func stored(_ n: Int, _ profile: CustomerProfile, in projectID: UUID = project, owner: UUID = caller,
                    external: String) -> Customer {
    Customer(groupID: id(1), id: id(n), projectID: projectID, projectPath: [id(1), projectID], profile: profile, ownerID: owner,
             createdBy: owner, externalID: external)
}

private func entry(_ position: Int, _ external: String, _ profile: CustomerProfile, existing: Customer? = nil, mayWrite: Bool = true,
                   owner: UUID? = nil, problems: [FieldViolation] = []) -> CustomerImportEntry {
    CustomerImportEntry(position: position, externalID: external, profile: profile, existing: existing, mayWrite: mayWrite,
                        owner: owner, problems: problems)
}

private func scope(rules: [DuplicateRule] = [], candidates: [DuplicateCandidate] = [], callerID: UUID? = caller,
                   mayAssign: Bool = false) -> CustomerImportScope {
    CustomerImportScope(projectID: project, callerUserID: callerID, mayAssign: mayAssign, sources: ["walk_in", "call"], media: [],
                        intentGrades: ["a"], rules: rules, candidates: candidates)
}

private func rule(_ fieldSets: [Set<DuplicateField>], _ action: DuplicateAction) -> DuplicateRule {
    DuplicateRule(id: id(900 + fieldSets.count), projectID: nil, name: "rule", fieldSets: fieldSets, action: action, active: true)
}

/// Plans with new ids 1001, 1002, ... and answers (actions, violations as "position:field").
private func plan(_ entries: [CustomerImportEntry], _ scope: CustomerImportScope) -> ([PlannedCustomerImport], [String]) {
    var next = 1000
    let (planned, violations) = CustomerImport.plan(entries, scope: scope) { next += 1; return id(next) }
    return (planned, violations.map { "\($0.position):\($0.field)" })
}

@Suite("Customer import planning")
struct CustomerImportTests {
    @Test func externalIDsHaveOneShape() {
        for good in ["CRM-0001", "a", "OA:123/45_6.7", String(repeating: "x", count: 64)] {
            #expect(CustomerImport.externalIDViolation(good) == nil, "\(good)")
        }
        for bad in ["", "-lead", "with space", "ümlaut", String(repeating: "x", count: 65), "tab\t"] {
            #expect(CustomerImport.externalIDViolation(bad) != nil, "\(bad)")
        }
    }

    @Test func createsUpdatesAndLeavesUnchanged() {
        let li = stored(1, profile("Li Wei", phones: ["13800138000"]), external: "A")
        var renamed = li.profile
        renamed.name = "Li Wei Jr"
        let (planned, violations) = plan([
            entry(0, "A", renamed, existing: li),
            entry(1, "B", profile("Wang Fang")),
            entry(2, "C", stored(2, profile("Zhao"), external: "C").profile, existing: stored(2, profile("Zhao"), external: "C")),
        ], scope())
        #expect(violations.isEmpty)
        #expect(planned.map(\.action) == [.update, .create, .unchanged])
        #expect(planned.map(\.customerID) == [id(1), id(1001), id(2)])
        #expect(planned[1].ownerID == caller && planned[0].ownerID == caller)
    }

    @Test func everyBadRecordIsReportedAndRepeatedExternalIDsToo() {
        var badEmail = profile("Mail")
        badEmail.email = "not an address"
        let (planned, violations) = plan([
            entry(0, "A", profile("Fine")),
            entry(1, "B", profile("Bad source", source: "pigeon")),
            entry(2, "A", profile("Repeat")),
            entry(3, "D", profile("Read badly"), problems: [FieldViolation(field: "phones[0].number", message: "no")]),
            entry(4, "E", badEmail),
        ], scope())
        #expect(violations == ["1:source", "2:externalId", "3:phones[0].number", "4:email"])
        #expect(planned.map(\.externalID) == ["A"])
    }

    @Test func existingCustomersMustBeOfTheProjectUnmergedAndWritable() {
        var merged = stored(3, profile("Merged"), external: "M")
        merged.mergedInto = id(4)
        let (_, violations) = plan([
            entry(0, "X", profile("Elsewhere"), existing: stored(1, profile("Elsewhere"), in: otherProject, external: "X")),
            entry(1, "Y", profile("Not mine, changed"), existing: stored(2, profile("Not mine"), owner: colleague, external: "Y"), mayWrite: false),
            entry(2, "M", profile("Merged"), existing: merged),
            entry(3, "O", profile("Owner"), existing: stored(5, profile("Owner"), external: "O"), owner: colleague),
        ], scope())
        #expect(violations == ["0:externalId", "1:externalId", "2:externalId", "3:owner"])
    }

    @Test func ownersOfNewCustomers() {
        // Another owner needs customers.assign; an API key (no caller) must name one.
        #expect(plan([entry(0, "A", profile("A"), owner: colleague)], scope()).1 == ["0:owner"])
        #expect(plan([entry(0, "A", profile("A"), owner: colleague)], scope(mayAssign: true)).0.first?.ownerID == colleague)
        #expect(plan([entry(0, "A", profile("A"))], scope(callerID: nil)).1 == ["0:owner"])
        #expect(plan([entry(0, "A", profile("A"), owner: colleague)], scope(callerID: nil, mayAssign: true)).0.first?.ownerID == colleague)
    }

    @Test func duplicateRulesAsIfSavedOneByOne() {
        let storedOne = DuplicateCandidate(customerID: id(50), projectID: project, ownerID: colleague,
                                           identity: .of(name: "Stored", phones: ["13800138000"], idNumber: nil))
        let block = rule([[.phone]], .block)
        let (planned, violations) = plan([
            entry(0, "A", profile("Copy", phones: ["13900000000", "13800138000"])),
            entry(1, "B", profile("First", phones: ["13700000001"])),
            entry(2, "C", profile("Second", phones: ["13700000001"])),
            entry(3, "D", profile("Fine", phones: ["13600000000"])),
        ], scope(rules: [block], candidates: [storedOne]))
        #expect(violations == ["0:phones[1].number", "2:phones[0].number"])
        #expect(planned.map(\.externalID) == ["B", "D"])

        // approve: pending; warn: listed; an earlier record counts as stored.
        let approve = rule([[.idNumber]], .approve)
        let warn = rule([[.name], [.phone]], .warn)
        let (more, none) = plan([
            entry(0, "E", profile("Stored")),
            entry(1, "F", profile("Someone", idNumber: "X123")),
            entry(2, "G", profile("Other", idNumber: "X123")),
        ], scope(rules: [approve, warn], candidates: [storedOne]))
        #expect(none.isEmpty)
        #expect(more.map(\.approval) == [.none, .none, .pending])
        #expect(more[0].matches.map(\.candidate.customerID) == [id(50)])
        #expect(more[2].matches.map(\.candidate.customerID) == [more[1].customerID])
    }

    @Test func anUpdateIsComparedOnlyWhenItsIdentityChangesAndNotWithItself() {
        let mine = stored(7, profile("Mine", phones: ["13800138000"]), external: "A")
        let candidate = DuplicateCandidate(customerID: mine.id, projectID: project, ownerID: caller, identity: mine.profile.identity)
        var notes = mine.profile
        notes.notes = "called back"
        let block = rule([[.phone]], .block)
        #expect(plan([entry(0, "A", notes, existing: mine)], scope(rules: [block], candidates: [candidate])).1.isEmpty)
        var phoneAdded = mine.profile
        phoneAdded.phones.append(CustomerPhone(number: "13900000000"))
        #expect(plan([entry(0, "A", phoneAdded, existing: mine)], scope(rules: [block], candidates: [candidate])).1.isEmpty)
        // Taking another stored customer's phone is blocked.
        let other = DuplicateCandidate(customerID: id(8), projectID: project, ownerID: colleague,
                                       identity: .of(name: "Other", phones: ["13900000000"], idNumber: nil))
        #expect(plan([entry(0, "A", phoneAdded, existing: mine)], scope(rules: [block], candidates: [candidate, other])).1 == ["0:phones[1].number"])
    }
}
