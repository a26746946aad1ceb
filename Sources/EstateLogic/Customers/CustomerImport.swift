import Foundation

/// One record of a customer import, read and applied: the profile the customer would have after
/// the import (the record's fields over the stored profile for an update, over a blank one for a
/// create), the customer its external id names if any, and the problems found while reading it.
public struct CustomerImportEntry: Sendable {
    /// The 0-based index of the record in the body.
    public var position: Int
    public var externalID: String
    /// The profile after the import (dictionary codes not yet checked).
    public var profile: CustomerProfile
    /// The customer with this external id in the group, whatever its project (nil: none yet).
    public var existing: Customer?
    /// Whether the caller may change `existing` (its customer rights include write).
    public var mayWrite: Bool
    /// The owner the record names, resolved to a user (nil: the record names none).
    public var owner: UUID?
    /// Problems found reading the record (unknown fields, phones that are no numbers, required
    /// fields missing, an owner who cannot own customers here): such a record is not planned further.
    public var problems: [FieldViolation]

    public init(position: Int, externalID: String, profile: CustomerProfile, existing: Customer?, mayWrite: Bool,
                owner: UUID?, problems: [FieldViolation] = []) {
        self.position = position
        self.externalID = externalID
        self.profile = profile
        self.existing = existing
        self.mayWrite = mayWrite
        self.owner = owner
        self.problems = problems
    }
}

/// What an import does with one record (the same actions as a room import).
public typealias CustomerImportAction = RoomImportAction

/// One record's planned outcome.
public struct PlannedCustomerImport: Sendable, Hashable {
    public var position: Int
    public var externalID: String
    public var action: CustomerImportAction
    /// The customer created (a new id) or matched.
    public var customerID: UUID
    /// The profile after the import.
    public var profile: CustomerProfile
    /// The owner of a created customer (an update never changes the owner).
    public var ownerID: UUID?
    /// `pending` for a customer created as a duplicate under an `approve` rule.
    public var approval: CustomerApproval
    /// The customers (stored, or created earlier in the same import) this one matches under `warn`
    /// or `approve` rules.
    public var matches: [DuplicateMatch]
}

/// The context an import is planned in.
public struct CustomerImportScope: Sendable {
    public var projectID: UUID
    /// The caller when a user (nil: an API key, which owns no customers).
    public var callerUserID: UUID?
    /// Whether the caller may make another user the owner (`customers.assign` at the project).
    public var mayAssign: Bool
    /// The active codes of the group's dictionaries: customer sources, media channels, intent grades.
    public var sources: Set<String>
    public var media: Set<String>
    public var intentGrades: Set<String>
    /// The active duplicate rules of the group and the project.
    public var rules: [DuplicateRule]
    /// Stored customers sharing a phone, an ID number or (for rules on names) a name with a record.
    public var candidates: [DuplicateCandidate]

    public init(projectID: UUID, callerUserID: UUID?, mayAssign: Bool, sources: Set<String>, media: Set<String>,
                intentGrades: Set<String>, rules: [DuplicateRule], candidates: [DuplicateCandidate]) {
        self.projectID = projectID
        self.callerUserID = callerUserID
        self.mayAssign = mayAssign
        self.sources = sources
        self.media = media
        self.intentGrades = intentGrades
        self.rules = rules
        self.candidates = candidates
    }
}

/// Bulk import/upsert of customers by external id: the rules of creating and changing one customer
/// (``CustomerProfile/violations(today:)``, the dictionaries, the duplicate rules, ownership),
/// applied to every record of a batch at once, every bad record reported.
///
/// The records are planned in order, as if saved one by one: a record is compared under the
/// duplicate rules with the stored customers and with the records before it (a `block` match
/// refuses it, an `approve` match makes a created customer `pending`, a `warn` match is reported).
/// An update is compared only when it changes the name, phones or ID number, and only `block`
/// refuses it, as for `PATCH /v1/customers/{id}`.
public enum CustomerImport {
    /// The most records one import takes.
    public static let maximumRecords = 1000

    /// External ids: 1 to 64 letters, digits and `. _ : / -`, starting with a letter or digit
    /// (the database checks the same).
    public static func externalIDViolation(_ id: String) -> String? {
        let allowed: (Unicode.Scalar) -> Bool = { s in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || "._:/-".unicodeScalars.contains(s))
        }
        guard (1...64).contains(id.unicodeScalars.count), id.unicodeScalars.allSatisfy(allowed),
              let first = id.unicodeScalars.first, first.isASCII, CharacterSet.alphanumerics.contains(first) else {
            return "must be 1 to 64 letters, digits or . _ : / -, starting with a letter or digit"
        }
        return nil
    }

    /// Plans the records: what each does, and every problem of every record.
    public static func plan(_ entries: [CustomerImportEntry], scope: CustomerImportScope,
                            newID: () -> UUID) -> ([PlannedCustomerImport], [ImportViolation]) {
        var violations: [ImportViolation] = []
        var planned: [PlannedCustomerImport] = []
        var firstPosition: [String: Int] = [:]
        // Stored customers whose identity this import changes are compared in their new form only.
        let changing = Set(entries.compactMap { entry in
            entry.existing.flatMap { $0.profile.identity != entry.profile.identity ? $0.id : nil }
        })
        var index = CandidateIndex(scope.candidates.filter { !changing.contains($0.customerID) })
        var batchPositions: [UUID: Int] = [:]
        for entry in entries {
            func fail(_ field: String, _ message: String) {
                violations.append(ImportViolation(position: entry.position, field: field, message: message))
            }
            if let first = firstPosition[entry.externalID] {
                fail("externalId", "repeats the external id of the record at \(first)")
                continue
            }
            firstPosition[entry.externalID] = entry.position
            guard entry.problems.isEmpty else {
                violations += entry.problems.map { ImportViolation(position: entry.position, field: $0.field, message: $0.message) }
                continue
            }
            let before = violations.count
            let existing = entry.existing
            if let existing {
                if existing.mergedInto != nil {
                    fail("externalId", "names a customer merged into another (\(existing.mergedInto!.uuidString)); import it under that customer's external id")
                } else if existing.projectID != scope.projectID {
                    fail("externalId", "names a customer of another project; external ids are unique in the group (reassign the customer or import it there)")
                } else if !entry.mayWrite {
                    fail("externalId", "names a customer you may not change")
                } else if let owner = entry.owner, owner != existing.ownerID {
                    fail("owner", "differs from the customer's owner; owners are changed by a reassignment, not by an import")
                }
            } else if let owner = entry.owner {
                if owner != scope.callerUserID && !scope.mayAssign {
                    fail("owner", "naming another owner than yourself needs customers.assign at the project")
                }
            } else if scope.callerUserID == nil {
                fail("owner", "is required: customers are owned by consultants and an API key is none")
            }
            guard violations.count == before else { continue }
            let profile = entry.profile
            for violation in profile.violations() { fail(violation.field, violation.message) }
            let old = existing?.profile
            func code(_ field: String, _ value: String?, _ previous: String?, _ active: Set<String>, _ dictionary: String) {
                // In a change only a code that changes is checked (a deactivated entry does not block other edits).
                guard let value, old == nil || value != previous else { return }
                if !active.contains(value) { fail(field, "'\(value)' is not an active entry of the \(dictionary) dictionary") }
            }
            code("source", profile.source, old?.source, scope.sources, "customer_sources")
            code("media", profile.media, old?.media, scope.media, "media_channels")
            code("intentGrade", profile.intentGrade, old?.intentGrade, scope.intentGrades, "intent_grades")
            guard violations.count == before else { continue }

            let customerID = existing?.id ?? newID()
            let identityChanged = existing.map { $0.profile.identity != profile.identity } ?? true
            var matches: [DuplicateMatch] = []
            if identityChanged {
                matches = DuplicateCheck.matches(for: profile.identity, projectID: scope.projectID,
                                                 candidates: index.candidates(for: profile.identity).filter { $0.customerID != customerID },
                                                 rules: scope.rules)
                if let block = matches.first(where: { $0.rule.action == .block }) {
                    let whom = batchPositions[block.candidate.customerID].map { "the record at \($0)" }
                        ?? "the existing customer \(block.candidate.customerID.uuidString)"
                    fail(field(of: block, in: profile), "matches \(whom) under the duplicate rule '\(block.rule.name)', which blocks duplicates")
                    continue
                }
            }
            let action: CustomerImportAction = existing == nil ? .create : (existing?.profile == profile ? .unchanged : .update)
            let ownerID = existing == nil ? (entry.owner ?? scope.callerUserID) : existing?.ownerID
            let approval: CustomerApproval = existing == nil && matches.contains(where: { $0.rule.action == .approve }) ? .pending
                : (existing?.approval ?? .none)
            planned.append(PlannedCustomerImport(position: entry.position, externalID: entry.externalID, action: action,
                                                 customerID: customerID, profile: profile, ownerID: ownerID, approval: approval,
                                                 matches: matches))
            if identityChanged {
                batchPositions[customerID] = entry.position
                index.add(DuplicateCandidate(customerID: customerID, projectID: scope.projectID, ownerID: ownerID, identity: profile.identity))
            }
        }
        return (planned, violations)
    }

    /// The field a blocking match is reported on: the first phone in common, else the ID number, else the name.
    static func field(of match: DuplicateMatch, in profile: CustomerProfile) -> String {
        if match.fields.contains(.phone),
           let index = profile.phones.firstIndex(where: { match.candidate.identity.phones.contains($0.number) }) {
            return "phones[\(index)].number"
        }
        if match.fields.contains(.idNumber) { return "idNumber" }
        return "name"
    }

    /// Candidates by phone, ID number and name, so that each record is compared only with those
    /// sharing one of them.
    struct CandidateIndex {
        var all: [DuplicateCandidate] = []
        var byPhone: [String: [Int]] = [:]
        var byIDNumber: [String: [Int]] = [:]
        var byName: [String: [Int]] = [:]

        init(_ candidates: [DuplicateCandidate]) {
            for candidate in candidates { add(candidate) }
        }

        mutating func add(_ candidate: DuplicateCandidate) {
            let at = all.count
            all.append(candidate)
            for phone in candidate.identity.phones { byPhone[phone, default: []].append(at) }
            if let id = candidate.identity.idNumber, !id.isEmpty { byIDNumber[id, default: []].append(at) }
            if !candidate.identity.name.isEmpty { byName[candidate.identity.name, default: []].append(at) }
        }

        func candidates(for identity: CustomerIdentity) -> [DuplicateCandidate] {
            var positions = Set<Int>()
            for phone in identity.phones { positions.formUnion(byPhone[phone] ?? []) }
            if let id = identity.idNumber { positions.formUnion(byIDNumber[id] ?? []) }
            positions.formUnion(byName[identity.name] ?? [])
            return positions.sorted().map { all[$0] }
        }
    }
}
