import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// One existing customer a new or changed one matches, and by which rule: who owns it, where.
struct DuplicateMatchBody: Codable, Sendable, Equatable {
    let customerId: UUID
    let name: String
    let projectId: UUID
    let projectName: String
    let ownerId: UUID?
    let ownerName: String?
    let ruleId: UUID
    let ruleName: String
    let action: DuplicateAction
    /// The fields that matched, e.g. `["phone"]` or `["name", "phone"]`.
    let fields: [String]

    init(_ match: DuplicateMatch, info: DuplicateCandidateInfo) {
        customerId = match.candidate.customerID
        name = info.name
        projectId = match.candidate.projectID
        projectName = info.projectName
        ownerId = match.candidate.ownerID
        ownerName = info.ownerName
        ruleId = match.rule.id
        ruleName = match.rule.name
        action = match.rule.action
        fields = match.fields.map(\.rawValue).sorted()
    }
}

/// The answer of a duplicate check: the strictest action among the matches (null: no match) and the matches.
struct DuplicateCheckBody: ResponseEncodable, Sendable {
    let action: DuplicateAction?
    let matches: [DuplicateMatchBody]
    /// Indexes of `phones` that are not phone numbers (they match nothing).
    let ignoredPhones: [Int]
}

struct DuplicateCheckRequest: Decodable {
    let projectId: UUID
    let name: String?
    let phones: [String]?
    let idNumber: String?
}

struct DuplicateRuleInput: Decodable {
    let projectId: UUID?
    let name: String
    let fieldSets: [[String]]
    let action: DuplicateAction
    let active: Bool?
}

struct DuplicateRuleUpdate: Decodable {
    let name: String?
    let fieldSets: [[String]]?
    let action: DuplicateAction?
    let active: Bool?
}

struct DuplicateRuleBody: ResponseEncodable, Sendable {
    let id: UUID
    let projectId: UUID?
    let name: String
    let fieldSets: [[String]]
    let action: DuplicateAction
    let active: Bool
    let version: Int

    init(_ stored: StoredDuplicateRule) {
        id = stored.rule.id
        projectId = stored.rule.projectID
        name = stored.rule.name
        fieldSets = stored.rule.fieldSets.map { $0.map(\.rawValue).sorted() }
        action = stored.rule.action
        active = stored.rule.active
        version = stored.version
    }
}
