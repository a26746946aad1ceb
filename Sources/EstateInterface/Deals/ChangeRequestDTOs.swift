import EstateData
import EstateLogic
import Foundation
import Hummingbird

// MARK: Requests

/// What a change request asks, by kind (stored as the request's payload, and read again when it is
/// executed):
/// - `change_room`: `roomId`; a subscribed deal may also give `discountIds`, `paymentMethod`, `terms`
///   (the current ones when left out);
/// - `change_buyers`: `buyers`;
/// - `change_discount`: `discountIds` (empty: no discount);
/// - `change_payment_method`: `paymentMethod`, and `terms`, `discountIds` (the current discounts when left out);
/// - `cancellation`, `termination`: `refundReason`;
/// - `price_approval`: `discountIds`, `paymentMethod`, `finalPrice` (the price the reserved deal asks to
///   be subscribed at, below the floor).
struct ChangePayload: Codable, Sendable {
    var roomId: UUID?
    var discountIds: [UUID]?
    var paymentMethod: String?
    var terms: PaymentTermsInput?
    var buyers: [DealBuyerInput]?
    var refundReason: CancellationReason?
    var finalPrice: Money?

    /// The fields each kind requires, and those it also accepts.
    static let fields: [ChangeRequestKind: (required: [String], optional: [String])] = [
        .changeRoom: (["roomId"], ["discountIds", "paymentMethod", "terms"]),
        .changeBuyers: (["buyers"], []),
        .changeDiscount: (["discountIds"], []),
        .changePaymentMethod: (["paymentMethod"], ["terms", "discountIds"]),
        .cancellation: (["refundReason"], []),
        .termination: (["refundReason"], []),
        .priceApproval: (["discountIds", "paymentMethod", "finalPrice"], []),
    ]

    /// The most discounts one request names.
    static let maximumDiscounts = 50

    var present: [String] {
        [("roomId", roomId != nil), ("discountIds", discountIds != nil), ("paymentMethod", paymentMethod != nil), ("terms", terms != nil),
         ("buyers", buyers != nil), ("refundReason", refundReason != nil), ("finalPrice", finalPrice != nil)]
            .filter(\.1).map(\.0)
    }

    /// The payment method named (400 naming `paymentMethod` for one no schedule is made for).
    func method() throws -> PaymentMethod? {
        guard let paymentMethod else { return nil }
        guard let method = PaymentMethod(rawValue: paymentMethod) else {
            throw Problem.validation([FieldViolation(field: "paymentMethod",
                message: "must be one of \(PaymentMethod.allCases.map(\.rawValue).joined(separator: ", ")) (the methods a payment schedule is made for)")])
        }
        return method
    }

    /// Every field rule of `kind` the payload breaks (400).
    func violations(for kind: ChangeRequestKind) -> [FieldViolation] {
        let (required, optional) = Self.fields[kind] ?? ([], [])
        var result: [FieldViolation] = []
        let given = present
        for field in required where !given.contains(field) {
            result.append(FieldViolation(field: field, message: "is required for \(kind.rawValue)"))
        }
        for field in given where !required.contains(field) && !optional.contains(field) {
            result.append(FieldViolation(field: field, message: "is not used by \(kind.rawValue)"))
        }
        if let discountIds, discountIds.count > Self.maximumDiscounts {
            result.append(FieldViolation(field: "discountIds", message: "must name at most \(Self.maximumDiscounts) discounts"))
        }
        if let buyers { result += DealController.buyerShapeViolations(buyers) }
        if let finalPrice, finalPrice <= .zero { result.append(FieldViolation(field: "finalPrice", message: "must be more than 0")) }
        return result
    }
}

/// `POST /v1/deals/{id}/change-requests`: a kind, why, and what is asked (``ChangePayload``).
struct ChangeRequestInput: Decodable, Sendable, NullableFields {
    let kind: ChangeRequestKind
    let reason: String
    let payload: ChangePayload

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, reason, roomId, discountIds, paymentMethod, terms, buyers, refundReason, finalPrice
    }

    static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = []

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(ChangeRequestKind.self, forKey: .kind)
        reason = try container.decode(String.self, forKey: .reason)
        payload = ChangePayload(roomId: try container.decodeIfPresent(UUID.self, forKey: .roomId),
                                discountIds: try container.decodeIfPresent([UUID].self, forKey: .discountIds),
                                paymentMethod: try container.decodeIfPresent(String.self, forKey: .paymentMethod),
                                terms: try container.decodeIfPresent(PaymentTermsInput.self, forKey: .terms),
                                buyers: try container.decodeIfPresent([DealBuyerInput].self, forKey: .buyers),
                                refundReason: try container.decodeIfPresent(CancellationReason.self, forKey: .refundReason),
                                finalPrice: try container.decodeIfPresent(Money.self, forKey: .finalPrice))
    }

    /// The reason without surrounding white space, and the payload, checked against the kind (400 naming each field).
    func validated() throws -> String {
        var violations = payload.violations(for: kind)
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { violations.insert(FieldViolation(field: "reason", message: "must not be blank"), at: 0) }
        if reason.unicodeScalars.count > ChangeRequestController.maximumTextLength {
            violations.insert(FieldViolation(field: "reason", message: "must be at most \(ChangeRequestController.maximumTextLength) characters"), at: 0)
        }
        guard violations.isEmpty else { throw Problem.validation(violations) }
        _ = try payload.method()
        return trimmed
    }
}

/// `POST /v1/change-requests/{id}/approve` and `/reject`: a note (required to reject).
struct ChangeDecisionInput: Decodable, Sendable, NullableFields {
    let note: String?

    static let fieldNames: Set<String> = ["note"]
    static let nullableFields: Set<String> = []

    enum CodingKeys: String, CodingKey, CaseIterable { case note }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        note = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .note)
    }
}

// MARK: Responses

/// The refund of a cancelled or terminated deal (``CancellationRefund``), and where its money is.
struct ChangeRefundBody: Encodable, Sendable {
    let refundReason: CancellationReason
    let depositKind: DepositKind?
    /// What the deal's current receivables collected, by receivable kind.
    let collected: [String: Money]
    /// Owed to the buyer: the collected money refunded (the forfeited earnest kept back, the earnest
    /// penalty added) and the credit the deal already held.
    let toBuyer: Money
    let toCommercialLender: Money
    let toProvidentFund: Money
    let forfeitedEarnest: Money
    let earnestPenalty: Money
    /// The deal's credit before the change.
    let creditBefore: Money
    /// Collected money moved from the receivables to the deal's credit.
    let releasedToCredit: Money
    /// The deal's credit after: what the refund route pays back to the buyer from it (the earnest
    /// penalty is owed on top of it).
    let creditAfter: Money

    init(_ refund: CancellationRefund, reason: CancellationReason, depositKind: DepositKind?, collected: [ReceivableKind: Money],
         creditBefore: Money, released: Money) {
        refundReason = reason
        self.depositKind = depositKind
        self.collected = Dictionary(uniqueKeysWithValues: collected.map { ($0.key.rawValue, $0.value) })
        toBuyer = refund.toBuyer + creditBefore
        toCommercialLender = refund.toCommercialLender
        toProvidentFund = refund.toProvidentFund
        forfeitedEarnest = refund.forfeitedEarnest
        earnestPenalty = refund.earnestPenalty
        self.creditBefore = creditBefore
        releasedToCredit = released
        creditAfter = creditBefore + released
    }
}

/// The price a price_approval request asks to subscribe the reserved deal at.
struct PriceApprovalBody: Codable, Sendable {
    let listPrice: Money
    let floorPrice: Money?
    let finalPrice: Money
    let paymentMethod: String
    let discountIds: [UUID]
}

/// The deal before or after a change (a preview until the change is executed): the deal with its
/// receivables, and what the kind adds.
struct ChangeOutcomeBody: Encodable, Sendable {
    let deal: DealBody
    /// Collected money the new schedule no longer needs, moved to the deal's credit.
    let releasedToCredit: Money?
    /// The new price is below the room's floor price (approving the request approves it).
    let belowFloor: Bool?
    let refund: ChangeRefundBody?
    let priceApproval: PriceApprovalBody?

    init(deal: DealBody, releasedToCredit: Money? = nil, belowFloor: Bool? = nil, refund: ChangeRefundBody? = nil,
         priceApproval: PriceApprovalBody? = nil) {
        self.deal = deal
        self.releasedToCredit = releasedToCredit
        self.belowFloor = belowFloor
        self.refund = refund
        self.priceApproval = priceApproval
    }
}

/// What execution reads back of an approved request's preview: the price the approver saw.
struct ApprovedPreview: Decodable {
    struct DealPart: Decodable {
        struct Pricing: Decodable { let finalPrice: Money }
        let pricing: Pricing?
    }
    let deal: DealPart?
}

/// A change request: what was asked, why, by whom, the decision, and the deal before and after.
struct ChangeRequestBody: ResponseEncodable {
    let id: UUID
    let dealId: UUID
    let projectId: UUID
    let kind: ChangeRequestKind
    let status: ChangeRequestStatus
    let reason: String
    let payload: JSONValue
    let requestedBy: String
    let requestedAt: Date
    let decidedBy: String?
    let decidedAt: Date?
    let decisionNote: String?
    let executedAt: Date?
    let before: JSONValue?
    let after: JSONValue?
    let version: Int

    init(_ stored: StoredChangeRequest) throws {
        func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        id = stored.id
        dealId = stored.dealID
        projectId = stored.projectID
        kind = stored.kind
        status = stored.status
        reason = stored.reason
        payload = try json(stored.payload)
        requestedBy = stored.requestedBy
        requestedAt = stored.requestedAt
        decidedBy = stored.decidedBy
        decidedAt = stored.decidedAt
        decisionNote = stored.decisionNote
        executedAt = stored.executedAt
        before = try stored.before.map(json)
        after = try stored.after.map(json)
        version = stored.version
    }
}

struct ChangeRequestPage: ResponseEncodable {
    let items: [ChangeRequestBody]
    let nextCursor: String?
}
