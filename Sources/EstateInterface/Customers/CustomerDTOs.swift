import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// A phone as clients send it: the number as written (normalised by the server) and a label.
struct PhoneInput: Decodable {
    let number: String
    let label: String?
}

/// A customer's attributes in a create (`name` and `source` required) or a change (If-Match): an
/// absent field stays as it is, a field set to null is cleared.
struct CustomerFields: Decodable {
    typealias Clearable<T> = T??

    var kind: CustomerKind?
    var name: String?
    var phones: [PhoneInput]?
    var gender: Clearable<Gender>
    var birthDate: Clearable<LocalDate>
    var idType: Clearable<IDDocumentType>
    var idNumber: Clearable<String>
    var email: Clearable<String>
    var address: Clearable<String>
    var occupation: Clearable<String>
    var incomeBand: Clearable<String>
    var family: Clearable<String>
    var habits: Clearable<String>
    var source: String?
    var media: Clearable<String>
    var intentGrade: Clearable<String>
    var needs: CustomerNeeds?
    var focus: [String]?
    var notes: Clearable<String>
    /// Create only: the consultant who owns the new customer (the caller when absent; another one needs customers.assign).
    var ownerId: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, phones, gender, birthDate, idType, idNumber, email, address, occupation, incomeBand, family, habits
        case source, media, intentGrade, needs, focus, notes, ownerId
    }

    init(from decoder: any Decoder) throws {
        try self.init(decoder, alsoKnown: [])
    }

    /// The fields of a body that adds members of its own (`alsoKnown`, decoded by the caller).
    init(_ decoder: any Decoder, alsoKnown: Set<String>) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, also: alsoKnown)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func clearable<T: Decodable>(_ key: CodingKeys) throws -> T?? {
            guard c.contains(key) else { return .none }
            return .some(try c.decodeIfPresent(T.self, forKey: key))
        }
        kind = try c.decodeIfPresent(CustomerKind.self, forKey: .kind)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        phones = try c.decodeIfPresent([PhoneInput].self, forKey: .phones)
        gender = try clearable(.gender)
        birthDate = try clearable(.birthDate)
        idType = try clearable(.idType)
        idNumber = try clearable(.idNumber)
        email = try clearable(.email)
        address = try clearable(.address)
        occupation = try clearable(.occupation)
        incomeBand = try clearable(.incomeBand)
        family = try clearable(.family)
        habits = try clearable(.habits)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        media = try clearable(.media)
        intentGrade = try clearable(.intentGrade)
        needs = try c.decodeIfPresent(CustomerNeeds.self, forKey: .needs)
        focus = try c.decodeIfPresent([String].self, forKey: .focus)
        notes = try clearable(.notes)
        ownerId = try c.decodeIfPresent(UUID.self, forKey: .ownerId)
    }

    /// Applies the fields to `profile`; phones that cannot be read as numbers are field errors.
    func apply(to profile: inout CustomerProfile, violations: inout [FieldViolation]) {
        func set<T>(_ value: T??, _ keyPath: WritableKeyPath<CustomerProfile, T?>, transform: (T) -> T = { $0 }) {
            if case .some(let new) = value { profile[keyPath: keyPath] = new.map(transform) }
        }
        func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let kind { profile.kind = kind }
        if let name { profile.name = trimmed(name) }
        if let phones {
            profile.phones = []
            for (index, phone) in phones.enumerated() {
                guard let number = PhoneNumber.normalize(phone.number) else {
                    violations.append(FieldViolation(field: "phones[\(index)].number", message: "is not a phone number (5 to 15 digits)"))
                    continue
                }
                profile.phones.append(CustomerPhone(number: number, label: phone.label.map(trimmed).flatMap { $0.isEmpty ? nil : $0 }))
            }
        }
        set(gender, \.gender)
        set(birthDate, \.birthDate)
        set(idType, \.idType)
        set(idNumber, \.idNumber, transform: IDDocument.normalize)
        set(email, \.email, transform: trimmed)
        set(address, \.address, transform: trimmed)
        set(occupation, \.occupation, transform: trimmed)
        set(incomeBand, \.incomeBand, transform: trimmed)
        set(family, \.family, transform: trimmed)
        set(habits, \.habits, transform: trimmed)
        if let source { profile.source = source }
        set(media, \.media)
        set(intentGrade, \.intentGrade)
        if let needs { profile.needs = needs }
        if let focus { profile.focus = focus.map(trimmed) }
        set(notes, \.notes, transform: trimmed)
    }
}

struct PhoneBody: Encodable, Sendable {
    let number: String
    let label: String?
}

/// A customer as the API shows it; phones and the ID number masked for callers without customers.pii.
struct CustomerBody: ResponseEncodable, Sendable {
    let id: UUID
    let projectId: UUID
    let kind: CustomerKind
    let name: String
    let phones: [PhoneBody]
    let gender: Gender?
    let birthDate: LocalDate?
    let idType: IDDocumentType?
    let idNumber: String?
    let email: String?
    let address: String?
    let occupation: String?
    let incomeBand: String?
    let family: String?
    let habits: String?
    let source: String
    let media: String?
    let intentGrade: String?
    let needs: CustomerNeeds
    let focus: [String]
    let notes: String?
    let ownerId: UUID?
    let inPool: Bool
    let pooledAt: Date?
    let lastFollowUpAt: Date?
    let protectedUntil: Date?
    let stage: String?
    let approval: CustomerApproval
    /// The id another system gives the customer (set by an import); absent when none.
    let externalId: String?
    /// Whether phones and the ID number are masked in this response.
    let masked: Bool
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ c: Customer, pii: Bool) {
        let p = c.profile
        id = c.id
        projectId = c.projectID
        kind = p.kind
        name = p.name
        phones = p.phones.map { PhoneBody(number: pii ? $0.number : PhoneNumber.mask($0.number), label: $0.label) }
        gender = p.gender
        birthDate = p.birthDate
        idType = p.idType
        idNumber = p.idNumber.map { pii ? $0 : IDDocument.mask($0) }
        email = p.email
        address = p.address
        occupation = p.occupation
        incomeBand = p.incomeBand
        family = p.family
        habits = p.habits
        source = p.source
        media = p.media
        intentGrade = p.intentGrade
        needs = p.needs
        focus = p.focus
        notes = p.notes
        ownerId = c.ownerID
        inPool = c.inPool
        pooledAt = c.pooledAt
        lastFollowUpAt = c.lastFollowUpAt
        protectedUntil = c.protectedUntil
        stage = c.stage
        approval = c.approval
        externalId = c.externalID
        masked = !pii
        version = c.version
        createdAt = c.createdAt
        updatedAt = c.updatedAt
    }
}

extension CustomerFields: NullableFields {
    static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = [
        "gender", "birthDate", "idType", "idNumber", "email", "address", "occupation", "incomeBand", "family", "habits",
        "media", "intentGrade", "notes",
    ]
}
