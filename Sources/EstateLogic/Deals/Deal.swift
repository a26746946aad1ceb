import Foundation

/// One discount of a deal's agreed price, as the quote applied it.
public struct DealDiscount: Sendable, Hashable, Codable {
    public var schemeID: UUID
    public var code: String
    public var name: String
    public var amountOff: Money
    public var priceAfter: Money

    public init(schemeID: UUID, code: String, name: String, amountOff: Money, priceAfter: Money) {
        self.schemeID = schemeID
        self.code = code
        self.name = name
        self.amountOff = amountOff
        self.priceAfter = priceAfter
    }

    public init(_ step: QuoteStep) {
        self.init(schemeID: step.schemeID, code: step.code, name: step.name, amountOff: step.amountOff, priceAfter: step.priceAfter)
    }
}

/// The price a deal agreed at subscription: the room's list price, the discounts in the order they
/// applied, the final price, the floor it was checked against and the payment terms.
public struct DealPricing: Sendable, Hashable {
    public var listPrice: Money
    public var discounts: [DealDiscount]
    public var finalPrice: Money
    public var floorPrice: Money?
    public var terms: PaymentTerms
    /// The approved change request that allowed a price below the floor.
    public var priceApprovalID: UUID?

    public init(listPrice: Money, discounts: [DealDiscount], finalPrice: Money, floorPrice: Money?, terms: PaymentTerms,
                priceApprovalID: UUID? = nil) {
        self.listPrice = listPrice
        self.discounts = discounts
        self.finalPrice = finalPrice
        self.floorPrice = floorPrice
        self.terms = terms
        self.priceApprovalID = priceApprovalID
    }
}

/// A deal: buyers and a room, from reservation (or subscription) to handover.
public struct Deal: Sendable, Hashable, Identifiable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    /// The project's path in the organisation (for the scope check).
    public var projectPath: [UUID]
    public var roomID: UUID
    /// The consultant who owns the deal.
    public var ownerID: UUID
    public var stage: DealStage
    public var buyers: [DealBuyer]
    public var deposit: Deposit?
    public var reservedUntil: Date?
    /// Set at subscription.
    public var pricing: DealPricing?
    public var subscribedOn: LocalDate?
    /// Money received beyond every receivable, held for the buyers.
    public var credit: Money
    public var endedReason: String?
    public var version: Int
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(groupID: UUID, id: UUID, projectID: UUID, projectPath: [UUID], roomID: UUID, ownerID: UUID, stage: DealStage,
                buyers: [DealBuyer], deposit: Deposit?, reservedUntil: Date?, pricing: DealPricing?, subscribedOn: LocalDate?,
                credit: Money = .zero, endedReason: String? = nil, version: Int = 1, createdBy: String,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.projectPath = projectPath
        self.roomID = roomID
        self.ownerID = ownerID
        self.stage = stage
        self.buyers = buyers
        self.deposit = deposit
        self.reservedUntil = reservedUntil
        self.pricing = pricing
        self.subscribedOn = subscribedOn
        self.credit = credit
        self.endedReason = endedReason
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The deal as the flow sees it.
    public var progress: DealProgress { DealProgress(stage: stage, paymentMethod: pricing?.terms.method) }

    /// What the deal needs next; nil once it has ended.
    public var nextStep: NextDealStep? { DealFlow.nextStep(of: progress) }
}
