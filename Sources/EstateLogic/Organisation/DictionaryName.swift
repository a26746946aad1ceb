import Foundation

/// The dictionaries a group configures: values users must be able to add without a release.
/// Later features refer to entries by code instead of hard-coding enums.
public enum DictionaryName: String, Sendable, CaseIterable, Codable {
    case customerSources = "customer_sources"
    case mediaChannels = "media_channels"
    case paymentMethods = "payment_methods"
    case intentGrades = "intent_grades"
    case followUpKinds = "follow_up_kinds"
    case lostReasons = "lost_reasons"
    case questionnaireTypes = "questionnaire_types"

    /// The entries a new group starts with (code, label).
    public var defaults: [(code: String, label: String)] {
        switch self {
        case .customerSources: [("walk_in", "Walk-in"), ("call", "Phone call"), ("owner_referral", "Referral by an owner"), ("agency", "Agency")]
        case .mediaChannels: [("newspaper", "Newspaper"), ("outdoor", "Outdoor"), ("online", "Online"), ("social", "Social media"), ("radio", "Radio")]
        case .paymentMethods: [("full", "Full payment"), ("instalments", "Instalments"), ("commercial_mortgage", "Commercial mortgage"),
                               ("provident_fund_mortgage", "Provident-fund mortgage"), ("combined", "Combined mortgage")]
        case .intentGrades: [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
        case .followUpKinds: [("visit", "Visit"), ("call", "Call"), ("email", "Email"), ("message", "Message"),
                              ("complaint", "Complaint"), ("suggestion", "Suggestion")]
        case .lostReasons: [("price", "Price"), ("location", "Location"), ("competitor", "Bought elsewhere"), ("financing", "Financing")]
        case .questionnaireTypes: [("visit", "Visit survey"), ("satisfaction", "Satisfaction survey")]
        }
    }
}

/// One value of a dictionary.
public struct DictionaryEntry: Sendable, Hashable {
    public var groupID: UUID
    public var dictionary: DictionaryName
    /// Stable, referred to by other records; never changes.
    public var code: String
    public var id: UUID
    public var label: String
    public var active: Bool
    public var sortOrder: Int
    public var version: Int

    public init(groupID: UUID, dictionary: DictionaryName, code: String, id: UUID, label: String, active: Bool = true,
                sortOrder: Int = 0, version: Int = 1) {
        self.groupID = groupID
        self.dictionary = dictionary
        self.code = code
        self.id = id
        self.label = label
        self.active = active
        self.sortOrder = sortOrder
        self.version = version
    }

    /// Checks a code and a label (nil: not being set).
    public static func violations(code: String?, label: String?, sortOrder: Int? = nil) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let sortOrder, Int32(exactly: sortOrder) == nil {
            result.append(FieldViolation(field: "sortOrder", message: "must be a 32-bit whole number"))
        }
        if let code, !((1...63).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
            result.append(FieldViolation(field: "code", message: "must be 1 to 63 lower-case letters, digits or underscores"))
        }
        if let label, label.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || label.count > 200 {
            result.append(FieldViolation(field: "label", message: "must be 1 to 200 characters, not blank"))
        }
        return result
    }

    public var auditFields: [String: String?] {
        ["dictionary": dictionary.rawValue, "code": code, "label": label, "active": String(active), "sortOrder": String(sortOrder)]
    }
}

/// Why a dictionary change is refused.
public enum DictionaryError: Error, Sendable, Hashable {
    case codeTaken(String)
}
