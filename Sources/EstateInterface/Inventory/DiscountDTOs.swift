import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// A percentage as clients write it: a decimal string of percent with at most two fraction digits
/// (`"2.5"` is 2.5 %, stored as 250 basis points).
enum PercentText {
    static func basisPoints(_ text: String) -> Int? {
        FixedPoint.parse(text, scale: 2).flatMap { Int(exactly: $0) }
    }

    static func text(_ basisPoints: Int) -> String {
        FixedPoint.format(Int64(basisPoints), scale: 2)
    }
}

struct DiscountSchemeBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let code: String
    let name: String
    let kind: String
    /// Percent off, for `percentage` (`"2.50"`).
    let percent: String?
    /// Amount off, for `fixed_amount`.
    let amount: Money?
    let currency = "CNY"
    let paymentMethods: [String]
    let validFrom: Date?
    let validUntil: Date?
    let buildingIds: [UUID]
    let roomIds: [UUID]
    let stackingOrder: Int
    let active: Bool
    let version: Int

    init(_ stored: StoredDiscountScheme) {
        let scheme = stored.scheme
        id = scheme.id
        projectId = stored.projectID
        code = scheme.code
        name = scheme.name
        (kind, percent, amount) = scheme.kind.body
        paymentMethods = scheme.paymentMethods.sorted()
        validFrom = scheme.validFrom
        validUntil = scheme.validUntil
        buildingIds = scheme.buildingIDs.sorted { $0.uuidString < $1.uuidString }
        roomIds = scheme.roomIDs.sorted { $0.uuidString < $1.uuidString }
        stackingOrder = scheme.stackingOrder
        active = scheme.active
        version = stored.version
    }
}

extension DiscountKind {
    /// The kind's name and its percent or amount, as the API shows them.
    var body: (kind: String, percent: String?, amount: Money?) {
        switch self {
        case .percentage(let basisPoints): ("percentage", PercentText.text(basisPoints), nil)
        case .fixedAmount(let amount): ("fixed_amount", nil, amount)
        }
    }

    /// The kind a client asks for: `name` (or the current kind's) with `percent` or `amount`
    /// (or the current value when the kind stays the same); the fields at fault otherwise.
    static func requested(name: String?, percent: String?, amount: Money?, current: DiscountKind?) -> Result<DiscountKind, Problem> {
        func refuse(_ field: String, _ message: String) -> Result<DiscountKind, Problem> {
            .failure(.validation([FieldViolation(field: field, message: message)]))
        }
        switch name ?? current?.body.kind {
        case "percentage":
            if amount != nil { return refuse("amount", "is only for kind fixed_amount") }
            if let percent {
                guard let basisPoints = PercentText.basisPoints(percent) else {
                    return refuse("percent", "must be a decimal string of percent with at most 2 decimals, e.g. \"2.5\"")
                }
                return .success(.percentage(basisPoints: basisPoints))
            }
            if let current, case .percentage = current { return .success(current) }
            return refuse("percent", "is required for kind percentage")
        case "fixed_amount":
            if percent != nil { return refuse("percent", "is only for kind percentage") }
            if let amount { return .success(.fixedAmount(amount)) }
            if let current, case .fixedAmount = current { return .success(current) }
            return refuse("amount", "is required for kind fixed_amount")
        default:
            return refuse("kind", "must be percentage or fixed_amount")
        }
    }
}

struct CreateDiscountScheme: Decodable {
    let code: String
    let name: String
    let kind: String
    let percent: String?
    let amount: Money?
    let paymentMethods: [String]?
    /// RFC 3339 date-time.
    let validFrom: String?
    /// RFC 3339 date-time.
    let validUntil: String?
    let buildingIds: [UUID]?
    let roomIds: [UUID]?
    let stackingOrder: Int
    let active: Bool?
}

/// A partial change: absent fields stay; `validFrom`/`validUntil` set to null remove that end of the window.
struct UpdateDiscountScheme: Decodable {
    /// Absent: unchanged; `.some(nil)`: cleared; `.some(text)`: set.
    typealias Clearable = String??

    var name: String?
    var kind: String?
    var percent: String?
    var amount: Money?
    var paymentMethods: [String]?
    var validFrom: Clearable
    var validUntil: Clearable
    var buildingIds: [UUID]?
    var roomIds: [UUID]?
    var stackingOrder: Int?
    var active: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, percent, amount, paymentMethods, validFrom, validUntil, buildingIds, roomIds, stackingOrder, active
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        percent = try container.decodeIfPresent(String.self, forKey: .percent)
        amount = try container.decodeIfPresent(Money.self, forKey: .amount)
        paymentMethods = try container.decodeIfPresent([String].self, forKey: .paymentMethods)
        buildingIds = try container.decodeIfPresent([UUID].self, forKey: .buildingIds)
        roomIds = try container.decodeIfPresent([UUID].self, forKey: .roomIds)
        stackingOrder = try container.decodeIfPresent(Int.self, forKey: .stackingOrder)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
        func clearable(_ key: CodingKeys) throws -> Clearable {
            guard container.contains(key) else { return .none }
            return .some(try container.decodeIfPresent(String.self, forKey: key))
        }
        validFrom = try clearable(.validFrom)
        validUntil = try clearable(.validUntil)
    }
}

struct QuoteRequest: Decodable {
    let roomId: UUID
    let paymentMethod: String
    let discountIds: [UUID]
    /// RFC 3339 date-time the quote is for; now when absent.
    let at: String?
}

struct QuoteStepBody: Encodable, Sendable {
    let schemeId: UUID
    let code: String
    let name: String
    let kind: String
    let percent: String?
    let amount: Money?
    let amountOff: Money
    let priceAfter: Money

    init(_ step: QuoteStep) {
        schemeId = step.schemeID
        code = step.code
        name = step.name
        (kind, percent, amount) = step.kind.body
        amountOff = step.amountOff
        priceAfter = step.priceAfter
    }
}

struct QuoteBody: ResponseEncodable {
    let roomId: UUID
    let paymentMethod: String
    let at: Date
    let currency = "CNY"
    let listPrice: Money
    let steps: [QuoteStepBody]
    let finalPrice: Money
    let totalDiscount: Money
    let floorPrice: Money?
    let breachesFloor: Bool
    /// A sale at this price needs a manager's approval (the floor is breached).
    let approvalRequired: Bool

    init(_ quote: Quote, at moment: Date) {
        roomId = quote.roomID
        paymentMethod = quote.paymentMethod
        at = moment
        listPrice = quote.listPrice
        steps = quote.steps.map(QuoteStepBody.init)
        finalPrice = quote.finalPrice
        totalDiscount = quote.totalDiscount
        floorPrice = quote.floorPrice
        breachesFloor = quote.breachesFloor
        approvalRequired = quote.breachesFloor
    }
}

extension UpdateDiscountScheme: NullableFields {
    static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = ["validFrom", "validUntil"]
}

extension CreateDiscountScheme: NullableFields {
    static let fieldNames: Set<String> = ["code", "name", "kind", "percent", "amount", "paymentMethods", "validFrom", "validUntil",
                                          "buildingIds", "roomIds", "stackingOrder", "active"]
    static let nullableFields: Set<String> = []
}
