import Foundation

/// A person or a company.
public enum CustomerKind: String, Sendable, Hashable, Codable, CaseIterable {
    case person
    case company
}

public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case female
    case male
    case other
}

/// Why someone is looking: to live in it, to invest, to move up.
public enum PurchasePurpose: String, Sendable, Hashable, Codable, CaseIterable {
    case ownUse = "own_use"
    case investment
    case upgrade
}

/// One phone of a customer: the number as normalised by ``PhoneNumber/normalize(_:)`` and an optional label.
public struct CustomerPhone: Sendable, Hashable {
    public var number: String
    public var label: String?

    public init(number: String, label: String? = nil) {
        self.number = number
        self.label = label
    }
}

/// What a customer looks for.
public struct CustomerNeeds: Sendable, Hashable, Codable {
    public var budget: Money?
    public var layouts: [String]
    public var areaFrom: Area?
    public var areaTo: Area?
    public var purpose: PurchasePurpose?

    enum CodingKeys: String, CodingKey {
        case budget, layouts, areaFrom, areaTo, purpose
    }

    /// Every member may be absent (`{}` is "nothing known yet"); `layouts` is then empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        budget = try c.decodeIfPresent(Money.self, forKey: .budget)
        layouts = try c.decodeIfPresent([String].self, forKey: .layouts) ?? []
        areaFrom = try c.decodeIfPresent(Area.self, forKey: .areaFrom)
        areaTo = try c.decodeIfPresent(Area.self, forKey: .areaTo)
        purpose = try c.decodeIfPresent(PurchasePurpose.self, forKey: .purpose)
    }

    public init(budget: Money? = nil, layouts: [String] = [], areaFrom: Area? = nil, areaTo: Area? = nil, purpose: PurchasePurpose? = nil) {
        self.budget = budget
        self.layouts = layouts
        self.areaFrom = areaFrom
        self.areaTo = areaTo
        self.purpose = purpose
    }
}

/// Everything about a customer that users enter and edit.
public struct CustomerProfile: Sendable, Hashable {
    public var kind: CustomerKind
    public var name: String
    public var phones: [CustomerPhone]
    public var gender: Gender?
    public var birthDate: LocalDate?
    public var idType: IDDocumentType?
    /// Normalised by ``IDDocument/normalize(_:)``.
    public var idNumber: String?
    public var email: String?
    public var address: String?
    public var occupation: String?
    public var incomeBand: String?
    public var family: String?
    public var habits: String?
    /// Dictionary codes.
    public var source: String
    public var media: String?
    public var intentGrade: String?
    public var needs: CustomerNeeds
    /// What matters to them (school, transport, price, ...), free codes.
    public var focus: [String]
    public var notes: String?

    public init(kind: CustomerKind = .person, name: String, phones: [CustomerPhone] = [], gender: Gender? = nil, birthDate: LocalDate? = nil,
                idType: IDDocumentType? = nil, idNumber: String? = nil, email: String? = nil, address: String? = nil,
                occupation: String? = nil, incomeBand: String? = nil, family: String? = nil, habits: String? = nil,
                source: String, media: String? = nil, intentGrade: String? = nil, needs: CustomerNeeds = CustomerNeeds(),
                focus: [String] = [], notes: String? = nil) {
        self.kind = kind
        self.name = name
        self.phones = phones
        self.gender = gender
        self.birthDate = birthDate
        self.idType = idType
        self.idNumber = idNumber
        self.email = email
        self.address = address
        self.occupation = occupation
        self.incomeBand = incomeBand
        self.family = family
        self.habits = habits
        self.source = source
        self.media = media
        self.intentGrade = intentGrade
        self.needs = needs
        self.focus = focus
        self.notes = notes
    }

    /// The identity duplicate rules compare.
    public var identity: CustomerIdentity {
        CustomerIdentity(name: CustomerText.normalizedName(name), phones: Set(phones.map(\.number)), idNumber: idNumber)
    }

    public static let maximumPhones = 10
    public static let maximumText = 2000

    /// The profile's own rules (dictionary codes are checked against the group's dictionaries elsewhere).
    public func violations(today: Date = Date()) -> [FieldViolation] {
        var result: [FieldViolation] = []
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty || name.count > 200 || CustomerText.hasControlCharacter(name) {
            result.append(FieldViolation(field: "name", message: "must be 1 to 200 characters, not blank, without control characters"))
        }
        if phones.count > Self.maximumPhones {
            result.append(FieldViolation(field: "phones", message: "at most \(Self.maximumPhones) phones"))
        }
        if Set(phones.map(\.number)).count != phones.count {
            result.append(FieldViolation(field: "phones", message: "the same number is given twice"))
        }
        for (index, phone) in phones.enumerated() {
            if let label = phone.label, label.count > 32 || CustomerText.hasControlCharacter(label) {
                result.append(FieldViolation(field: "phones[\(index)].label", message: "must be at most 32 characters without control characters"))
            }
        }
        if (idType == nil) != (idNumber == nil) {
            result.append(FieldViolation(field: idType == nil ? "idType" : "idNumber", message: "an ID document needs both its type and its number"))
        } else if let idType, let idNumber {
            result += IDDocument.violations(type: idType, number: idNumber, field: "idNumber", today: today)
        }
        if kind == .company, let idType, idType != .businessLicense && idType != .other {
            result.append(FieldViolation(field: "idType", message: "a company is identified by its business licence"))
        }
        if let birthDate {
            let now = LocalDate(today, in: TimeZone(identifier: "UTC")!)
            if birthDate > now || birthDate.year < 1900 {
                result.append(FieldViolation(field: "birthDate", message: "must be between 1900-01-01 and today"))
            }
        }
        if let email, email.count > 254 || !Self.looksLikeEmail(email) {
            result.append(FieldViolation(field: "email", message: "must be an email address"))
        }
        for (field, value) in [("address", address), ("occupation", occupation), ("family", family), ("habits", habits), ("notes", notes)] {
            if let value, value.count > Self.maximumText {
                result.append(FieldViolation(field: field, message: "must be at most \(Self.maximumText) characters"))
            }
        }
        if let incomeBand, incomeBand.isEmpty || incomeBand.count > 64 || CustomerText.hasControlCharacter(incomeBand) {
            result.append(FieldViolation(field: "incomeBand", message: "must be 1 to 64 characters without control characters"))
        }
        if focus.count > 20 || focus.contains(where: { $0.isEmpty || $0.count > 64 || CustomerText.hasControlCharacter($0) }) {
            result.append(FieldViolation(field: "focus", message: "at most 20 entries of 1 to 64 characters"))
        }
        if needs.layouts.count > 20 || needs.layouts.contains(where: { $0.isEmpty || $0.count > 64 || CustomerText.hasControlCharacter($0) }) {
            result.append(FieldViolation(field: "needs.layouts", message: "at most 20 entries of 1 to 64 characters"))
        }
        if let budget = needs.budget, budget < .zero {
            result.append(FieldViolation(field: "needs.budget", message: "must be 0 or more"))
        }
        for (field, area) in [("needs.areaFrom", needs.areaFrom), ("needs.areaTo", needs.areaTo)] {
            if let area, area <= .zero || area > RoomAttributes.maximumArea {
                result.append(FieldViolation(field: field, message: "must be more than 0 and at most 100000.00"))
            }
        }
        if let from = needs.areaFrom, let to = needs.areaTo, from > to {
            result.append(FieldViolation(field: "needs.areaTo", message: "must not be below areaFrom"))
        }
        return result
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains(where: { $0.isWhitespace }) && !CustomerText.hasControlCharacter(text)
    }
}

/// A customer's duplicate-approval state.
public enum CustomerApproval: String, Sendable, Hashable, Codable {
    /// An ordinary customer.
    case none
    /// Created as a duplicate under a rule whose action is `approve`; a manager has not decided yet.
    case pending
    /// The manager refused it.
    case rejected
}

/// A customer as stored.
public struct Customer: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    /// The project's path from the group's root (for access checks).
    public var projectPath: [UUID]
    public var profile: CustomerProfile
    /// nil while the customer is in the project's public pool.
    public var ownerID: UUID?
    public var pooledAt: Date?
    public var lastFollowUpAt: Date?
    public var protectedUntil: Date?
    public var stage: String?
    public var approval: CustomerApproval
    public var mergedInto: UUID?
    public var createdBy: UUID
    /// The id another system of the group gives the customer (unique in the group); what imports match by.
    public var externalID: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(groupID: UUID, id: UUID, projectID: UUID, projectPath: [UUID], profile: CustomerProfile, ownerID: UUID?,
                pooledAt: Date? = nil, lastFollowUpAt: Date? = nil, protectedUntil: Date? = nil, stage: String? = nil,
                approval: CustomerApproval = .none, mergedInto: UUID? = nil, createdBy: UUID, externalID: String? = nil,
                version: Int = 1, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.projectPath = projectPath
        self.profile = profile
        self.ownerID = ownerID
        self.pooledAt = pooledAt
        self.lastFollowUpAt = lastFollowUpAt
        self.protectedUntil = protectedUntil
        self.stage = stage
        self.approval = approval
        self.mergedInto = mergedInto
        self.createdBy = createdBy
        self.externalID = externalID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var inPool: Bool { ownerID == nil }
}
