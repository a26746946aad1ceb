import EstateData
import EstateLogic
import Foundation
import Hummingbird

// MARK: Requests

/// A buyer of a deal: a customer and their share in basis points (10000 = 100 %). Leave every
/// share out for equal shares.
struct DealBuyerInput: Codable, Sendable {
    let customerId: UUID
    let shareBasisPoints: Int?
}

struct DepositInput: Decodable, Sendable {
    let kind: DepositKind
    let amount: Money
}

/// The terms of the payment method; which fields apply depends on the method.
struct PaymentTermsInput: Codable, Sendable {
    let downPaymentRatio: Int?
    let instalmentCount: Int?
    let instalmentIntervalMonths: Int?
    let commercialLoan: Money?
    let providentFundLoan: Money?
    let downPaymentDueDays: Int?
    let loanDueDays: Int?

    func terms(_ method: PaymentMethod) -> PaymentTerms {
        let defaults = PaymentTerms(method: method)
        return PaymentTerms(method: method, downPaymentRatio: downPaymentRatio, instalmentCount: instalmentCount,
                            instalmentIntervalMonths: instalmentIntervalMonths, commercialLoan: commercialLoan,
                            providentFundLoan: providentFundLoan, downPaymentDueDays: downPaymentDueDays ?? defaults.downPaymentDueDays,
                            loanDueDays: loanDueDays ?? defaults.loanDueDays)
    }
}

/// A reservation: intent money or earnest paid to keep the room until a moment.
struct ReservationInput: Decodable, Sendable {
    let deposit: DepositInput
    let until: Date
}

/// A subscription: the price from the room's list price and the chosen discounts, the payment
/// method and its terms (which make the payment schedule), the deposit.
struct SubscriptionInput: Decodable, Sendable {
    let paymentMethod: String
    let discountIds: [UUID]?
    let terms: PaymentTermsInput?
    /// Replaces the reservation's deposit (e.g. earnest instead of intent money); required without a reservation.
    let deposit: DepositInput?
    /// The day the agreement is signed; today in the group's time zone when left out.
    let subscribedOn: String?
    /// An approved price_approval change request of the deal, for a price below the floor.
    let priceApprovalId: UUID?
}

/// `POST /v1/deals`: a deal starts with a reservation or directly with a subscription.
struct StartDealInput: Decodable, Sendable, NullableFields {
    let roomId: UUID
    let buyers: [DealBuyerInput]
    let ownerId: UUID?
    let reservation: ReservationInput?
    let subscription: SubscriptionInput?

    static let fieldNames: Set<String> = ["roomId", "buyers", "ownerId", "reservation", "subscription"]
    static let nullableFields: Set<String> = []
}

/// `POST /v1/deals/{id}/subscribe`: a reserved deal is subscribed; buyers may change on the way.
struct SubscribeDealInput: Decodable, Sendable, NullableFields {
    let subscription: SubscriptionInput
    let buyers: [DealBuyerInput]?

    static let fieldNames: Set<String> = ["subscription", "buyers"]
    static let nullableFields: Set<String> = []
}

// MARK: Responses

struct DealBuyerBody: Encodable {
    let customerId: UUID
    let shareBasisPoints: Int
}

struct DepositBody: Encodable {
    let kind: DepositKind
    let amount: Money
}

struct PaymentTermsBody: Encodable {
    let downPaymentRatio: Int?
    let instalmentCount: Int?
    let instalmentIntervalMonths: Int?
    let commercialLoan: Money?
    let providentFundLoan: Money?
    let downPaymentDueDays: Int
    let loanDueDays: Int

    init(_ terms: PaymentTerms) {
        downPaymentRatio = terms.downPaymentRatio
        instalmentCount = terms.instalmentCount
        instalmentIntervalMonths = terms.instalmentIntervalMonths
        commercialLoan = terms.commercialLoan
        providentFundLoan = terms.providentFundLoan
        downPaymentDueDays = terms.downPaymentDueDays
        loanDueDays = terms.loanDueDays
    }
}

struct DealDiscountBody: Encodable {
    let schemeId: UUID
    let code: String
    let name: String
    let amountOff: Money
    let priceAfter: Money

    init(_ discount: DealDiscount) {
        schemeId = discount.schemeID
        code = discount.code
        name = discount.name
        amountOff = discount.amountOff
        priceAfter = discount.priceAfter
    }
}

struct DealPricingBody: Encodable {
    let listPrice: Money
    let discounts: [DealDiscountBody]
    let finalPrice: Money
    let floorPrice: Money?
    let paymentMethod: PaymentMethod
    let terms: PaymentTermsBody
    let priceApprovalId: UUID?

    init(_ pricing: DealPricing) {
        listPrice = pricing.listPrice
        discounts = pricing.discounts.map(DealDiscountBody.init)
        finalPrice = pricing.finalPrice
        floorPrice = pricing.floorPrice
        paymentMethod = pricing.terms.method
        terms = PaymentTermsBody(pricing.terms)
        priceApprovalId = pricing.priceApprovalID
    }
}

struct ReceivableBody: Encodable {
    let id: UUID
    let position: Int
    let kind: ReceivableKind
    let payer: ReceivablePayer
    let label: String?
    let dueOn: LocalDate
    let amount: Money
    let paid: Money
    let open: Money

    init(_ stored: StoredReceivable) {
        id = stored.line.id
        position = stored.position
        kind = stored.line.kind
        payer = stored.line.kind.payer
        label = stored.label
        dueOn = stored.line.dueDate
        amount = stored.line.amount
        paid = stored.line.paid
        open = stored.line.open
    }
}

struct NextStepBody: Encodable {
    let step: DealStep
    let stage: DealStage
    let requiredFields: [String]

    init(_ next: NextDealStep) {
        step = next.step
        stage = next.stage
        requiredFields = next.requiredFields
    }
}

/// A deal with its buyers, price, schedule (current receivables), balance and next step.
struct DealBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let roomId: UUID
    let ownerId: UUID
    let stage: DealStage
    let buyers: [DealBuyerBody]
    let deposit: DepositBody?
    let reservedUntil: Date?
    let pricing: DealPricingBody?
    let subscribedOn: LocalDate?
    let receivables: [ReceivableBody]?
    /// What is owed on the current receivables.
    let totalDue: Money?
    let totalPaid: Money?
    let balance: Money?
    let credit: Money
    let endedReason: String?
    let nextStep: NextStepBody?
    /// The contract, mortgage, area settlement and dated steps (DealStepDTOs.swift); left out of lists.
    let contract: DealContractBody?
    let mortgage: DealMortgageBody?
    let areaSettlement: DealAreaSettlementBody?
    let steps: [DealStepBody]?
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    /// `receivables`: the deal's current lines, `milestones`: its contract, mortgage, settlement and
    /// dated steps (nil in lists, which leave them out).
    init(_ deal: Deal, receivables: [StoredReceivable]?, milestones: DealMilestones? = nil) {
        id = deal.id
        projectId = deal.projectID
        roomId = deal.roomID
        ownerId = deal.ownerID
        stage = deal.stage
        buyers = deal.buyers.map { DealBuyerBody(customerId: $0.customerID, shareBasisPoints: $0.shareBasisPoints) }
        deposit = deal.deposit.map { DepositBody(kind: $0.kind, amount: $0.amount) }
        reservedUntil = deal.reservedUntil
        pricing = deal.pricing.map(DealPricingBody.init)
        subscribedOn = deal.subscribedOn
        self.receivables = receivables?.map(ReceivableBody.init)
        if let receivables {
            let due = receivables.reduce(Money.zero) { $0 + $1.line.amount }
            let paid = receivables.reduce(Money.zero) { $0 + $1.line.paid }
            totalDue = due
            totalPaid = paid
            balance = due - paid
        } else {
            totalDue = nil
            totalPaid = nil
            balance = nil
        }
        credit = deal.credit
        endedReason = deal.endedReason
        nextStep = deal.nextStep.map(NextStepBody.init)
        (contract, mortgage, areaSettlement, steps) = Self.parts(milestones)
        version = deal.version
        createdAt = deal.createdAt
        updatedAt = deal.updatedAt
    }
}

struct DealPage: ResponseEncodable {
    let items: [DealBody]
    let nextCursor: String?
}

struct DealHistoryBody: Encodable {
    let id: UUID
    let event: String
    let fromStage: DealStage?
    let toStage: DealStage
    let before: JSONValue?
    let after: JSONValue?
    let actor: String
    let reason: String?
    let at: Date
}

struct DealHistoryPage: ResponseEncodable {
    let items: [DealHistoryBody]
}
