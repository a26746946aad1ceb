import Foundation

/// The normalised fields of a customer that duplicate rules compare.
public struct CustomerIdentity: Sendable, Hashable {
    /// The name as ``CustomerText/normalizedName(_:)`` makes it.
    public var name: String
    /// The phone numbers as ``PhoneNumber/normalize(_:)`` makes them.
    public var phones: Set<String>
    /// The ID number as ``IDDocument/normalize(_:)`` makes it; nil when there is none.
    public var idNumber: String?

    /// An identity of values already normalised.
    public init(name: String, phones: Set<String>, idNumber: String?) {
        self.name = name
        self.phones = phones
        self.idNumber = idNumber
    }

    /// The identity of a customer as entered: the name, phones and ID number normalised; phones that are
    /// not phone numbers are left out, and an ID number that is empty once normalised is none.
    public static func of(name: String, phones: [String], idNumber: String?) -> CustomerIdentity {
        let idNumber = idNumber.map(IDDocument.normalize)
        return CustomerIdentity(name: CustomerText.normalizedName(name), phones: Set(phones.compactMap(PhoneNumber.normalize)),
                                idNumber: idNumber?.isEmpty == false ? idNumber : nil)
    }
}

/// An existing customer a new or edited one is compared with.
public struct DuplicateCandidate: Sendable, Hashable {
    public var customerID: UUID
    /// The project the customer belongs to.
    public var projectID: UUID
    /// The consultant who owns the customer; nil when it is in the public pool.
    public var ownerID: UUID?
    public var identity: CustomerIdentity

    public init(customerID: UUID, projectID: UUID, ownerID: UUID?, identity: CustomerIdentity) {
        self.customerID = customerID
        self.projectID = projectID
        self.ownerID = ownerID
        self.identity = identity
    }
}

/// An existing customer that a rule says is the same as the one being saved.
public struct DuplicateMatch: Sendable, Hashable {
    public var candidate: DuplicateCandidate
    public var rule: DuplicateRule
    /// The rule's field set that matched (the first one that did).
    public var fields: Set<DuplicateField>

    public init(candidate: DuplicateCandidate, rule: DuplicateRule, fields: Set<DuplicateField>) {
        self.candidate = candidate
        self.rule = rule
        self.fields = fields
    }
}

/// Applies duplicate rules to a customer being saved.
public enum DuplicateCheck {
    /// The existing customers among `candidates` that the rules say are the same as `identity`, a
    /// customer being saved in the project `projectID` (leave the customer itself out of `candidates`
    /// when it is being edited).
    ///
    /// Only active rules count, and of them only the group-wide ones and those of `projectID`; a
    /// project's rule only matches candidates of that project. A candidate matches a rule when every
    /// field of one of its field sets is present on both sides and equal (phone: a number in common;
    /// ID number and name: equal and not empty). There is one match per candidate and rule, with the
    /// first field set that matched; the strictest actions come first, then candidates and rules by id.
    public static func matches(for identity: CustomerIdentity, projectID: UUID, candidates: [DuplicateCandidate],
                               rules: [DuplicateRule]) -> [DuplicateMatch] {
        var result: [DuplicateMatch] = []
        for rule in rules where rule.active && (rule.projectID == nil || rule.projectID == projectID) {
            for candidate in candidates where rule.projectID == nil || candidate.projectID == rule.projectID {
                if let fields = rule.fieldSets.first(where: { agree(identity, candidate.identity, on: $0) }) {
                    result.append(DuplicateMatch(candidate: candidate, rule: rule, fields: fields))
                }
            }
        }
        return result.sorted { a, b in
            if a.rule.action != b.rule.action { return a.rule.action > b.rule.action }
            return (a.candidate.customerID.uuidString, a.rule.id.uuidString)
                < (b.candidate.customerID.uuidString, b.rule.id.uuidString)
        }
    }

    /// What the matches mean for the save: the strictest of their actions; nil when there are none.
    public static func outcome(_ matches: [DuplicateMatch]) -> DuplicateAction? {
        matches.map(\.rule.action).max()
    }

    /// Whether two identities are present and equal on every field of a (non-empty) field set.
    private static func agree(_ a: CustomerIdentity, _ b: CustomerIdentity, on fields: Set<DuplicateField>) -> Bool {
        !fields.isEmpty && fields.allSatisfy { field in
            switch field {
            case .phone: !a.phones.isDisjoint(with: b.phones)
            case .idNumber: a.idNumber?.isEmpty == false && a.idNumber == b.idNumber
            case .name: !a.name.isEmpty && a.name == b.name
            }
        }
    }
}
