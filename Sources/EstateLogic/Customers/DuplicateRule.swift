import Foundation

/// A customer field a duplicate rule can compare.
public enum DuplicateField: String, Sendable, Hashable, Codable, CaseIterable {
    /// Any of the phone numbers (normalised) in common.
    case phone
    /// The same ID number (normalised).
    case idNumber = "id_number"
    /// The same name (normalised: half-width, single spaces, lower-case).
    case name
}

/// What happens when a new or edited customer matches an existing one, ordered by strictness:
/// `warn` < `approve` < `block`.
public enum DuplicateAction: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The customer is saved; the consultant is told who owns the match.
    case warn
    /// The customer is saved only with a manager's approval.
    case approve
    /// The customer is not saved.
    case block

    /// The strictness order: the order of the cases.
    public static func < (lhs: DuplicateAction, rhs: DuplicateAction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A duplicate rule of a group or of one project: which fields identify a customer and what a match does.
public struct DuplicateRule: Sendable, Hashable {
    public var id: UUID
    /// The project the rule is for; nil: every project of the group.
    public var projectID: UUID?
    /// Display name.
    public var name: String
    /// The alternatives that identify a customer: a candidate matches when every field of one set is
    /// equal (e.g. `[[.idNumber], [.name, .phone]]`: the same ID number, or the same name and phone).
    public var fieldSets: [Set<DuplicateField>]
    /// What a match does.
    public var action: DuplicateAction
    /// Whether the rule is checked at all.
    public var active: Bool

    /// A rule with the given properties (not validated: see ``violations(name:fieldSets:)``).
    public init(id: UUID, projectID: UUID?, name: String, fieldSets: [Set<DuplicateField>], action: DuplicateAction,
                active: Bool) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.fieldSets = fieldSets
        self.action = action
        self.active = active
    }

    /// The most field sets one rule has.
    public static let maximumFieldSets = 10
    /// The most fields one field set has.
    public static let maximumFieldsPerSet = 3

    /// Checks a rule as a client sends it; empty when it is acceptable.
    ///
    /// - `name`: 1 to 100 characters, not blank;
    /// - `fieldSets`: 1 to 10 sets, each (`fieldSets[i]`) of 1 to 3 fields; each field (`fieldSets[i][j]`)
    ///   a ``DuplicateField`` raw value not already named in its set.
    public static func violations(name: String, fieldSets: [[String]]) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || name.count > 100 {
            result.append(FieldViolation(field: "name", message: "must be 1 to 100 characters, not blank"))
        }
        if !(1...maximumFieldSets).contains(fieldSets.count) {
            result.append(FieldViolation(field: "fieldSets", message: "must have 1 to \(maximumFieldSets) field sets"))
        }
        let known = DuplicateField.allCases.map(\.rawValue).joined(separator: ", ")
        for (i, fields) in fieldSets.enumerated() {
            if !(1...maximumFieldsPerSet).contains(fields.count) {
                result.append(FieldViolation(field: "fieldSets[\(i)]", message: "must have 1 to \(maximumFieldsPerSet) fields"))
            }
            for (j, field) in fields.enumerated() {
                if DuplicateField(rawValue: field) == nil {
                    result.append(FieldViolation(field: "fieldSets[\(i)][\(j)]", message: "\(field) is not one of \(known)"))
                } else if let earlier = fields.prefix(j).firstIndex(of: field) {
                    result.append(FieldViolation(field: "fieldSets[\(i)][\(j)]", message: "\(field) is already fieldSets[\(i)][\(earlier)]"))
                }
            }
        }
        return result
    }
}
