import Foundation

/// What a dated step after the subscription recorded (DOMAIN.md, "The sale, step by step", steps 3
/// to 6): the figures of its request and what the step computed. Each step fills its own fields;
/// the rest stay nil.
public struct DealStepDetails: Sendable, Hashable, Codable {
    /// contract: the purchase contract's number (unique in the project).
    public var contractNumber: String?
    /// contract: the pre-sale registration (filing) number with the housing authority.
    public var filingNumber: String?
    /// contract: the day of the filing (the contract's date when not given).
    public var filedOn: LocalDate?
    /// apply_for_mortgage: the lending bank (or provident-fund centre).
    public var bank: String?
    /// apply_for_mortgage: the amount applied for.
    public var loanAmount: Money?
    /// apply_for_mortgage: the loan's term in months.
    public var termMonths: Int?
    /// approve_mortgage: the amount the lender approved.
    public var approvedAmount: Money?
    /// receive_mortgage_funds: the amount that arrived.
    public var amount: Money?
    /// contract and settle_area: the area the contract was priced on.
    public var contractedArea: Area?
    /// settle_area: the surveyed actual area.
    public var actualArea: Area?
    /// settle_area: what the settlement came to (positive: the buyers pay; negative: they are refunded).
    public var settlementAmount: Money?
    /// settle_area: the area differs by more than the band (±3 %): the buyers may cancel.
    public var buyerMayCancel: Bool?
    /// settle_area: the receivable line a positive settlement became.
    public var receivableId: UUID?
    /// settle_area: the refund owed to the buyers (a negative settlement), held as the deal's credit.
    public var creditAdded: Money?
    /// register_title: the title certificate's number.
    public var certificateNumber: String?
    /// Any step: a free note.
    public var note: String?

    public init(contractNumber: String? = nil, filingNumber: String? = nil, filedOn: LocalDate? = nil, bank: String? = nil,
                loanAmount: Money? = nil, termMonths: Int? = nil, approvedAmount: Money? = nil, amount: Money? = nil,
                contractedArea: Area? = nil, actualArea: Area? = nil, settlementAmount: Money? = nil, buyerMayCancel: Bool? = nil,
                receivableId: UUID? = nil, creditAdded: Money? = nil, certificateNumber: String? = nil, note: String? = nil) {
        self.contractNumber = contractNumber
        self.filingNumber = filingNumber
        self.filedOn = filedOn
        self.bank = bank
        self.loanAmount = loanAmount
        self.termMonths = termMonths
        self.approvedAmount = approvedAmount
        self.amount = amount
        self.contractedArea = contractedArea
        self.actualArea = actualArea
        self.settlementAmount = settlementAmount
        self.buyerMayCancel = buyerMayCancel
        self.receivableId = receivableId
        self.creditAdded = creditAdded
        self.certificateNumber = certificateNumber
        self.note = note
    }
}

/// One dated step of a deal as recorded: which, on which day, with what, by whom and when.
public struct DealStepRecord: Sendable, Hashable {
    public var step: DealStep
    public var doneOn: LocalDate
    public var details: DealStepDetails
    public var recordedBy: String
    public var recordedAt: Date

    public init(step: DealStep, doneOn: LocalDate, details: DealStepDetails, recordedBy: String, recordedAt: Date = Date()) {
        self.step = step
        self.doneOn = doneOn
        self.details = details
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// What a deal's steps after the subscription established: the contract and its filing with the
/// housing authority, the mortgage, the area settlement, and every dated step in order.
public struct DealMilestones: Sendable, Hashable {
    public var contractNumber: String?
    public var contractSignedOn: LocalDate?
    public var filingNumber: String?
    public var filedOn: LocalDate?
    /// The day the purchase contract is to be signed by (set at subscription).
    public var contractDeadline: LocalDate?
    public var mortgageBank: String?
    /// The loan: the amount applied for, then the amount approved.
    public var mortgageAmount: Money?
    public var mortgageTermMonths: Int?
    /// The area the contract was priced on (stored at the contract).
    public var contractedArea: Area?
    public var actualArea: Area?
    public var settlementAmount: Money?
    public var buyerMayCancel: Bool?
    /// The dated steps, oldest first.
    public var steps: [DealStepRecord]

    public init(contractNumber: String? = nil, contractSignedOn: LocalDate? = nil, filingNumber: String? = nil, filedOn: LocalDate? = nil,
                contractDeadline: LocalDate? = nil, mortgageBank: String? = nil, mortgageAmount: Money? = nil,
                mortgageTermMonths: Int? = nil, contractedArea: Area? = nil, actualArea: Area? = nil, settlementAmount: Money? = nil,
                buyerMayCancel: Bool? = nil, steps: [DealStepRecord] = []) {
        self.contractNumber = contractNumber
        self.contractSignedOn = contractSignedOn
        self.filingNumber = filingNumber
        self.filedOn = filedOn
        self.contractDeadline = contractDeadline
        self.mortgageBank = mortgageBank
        self.mortgageAmount = mortgageAmount
        self.mortgageTermMonths = mortgageTermMonths
        self.contractedArea = contractedArea
        self.actualArea = actualArea
        self.settlementAmount = settlementAmount
        self.buyerMayCancel = buyerMayCancel
        self.steps = steps
    }

    /// The record of `step`, when the deal went through it.
    public func record(of step: DealStep) -> DealStepRecord? {
        steps.last { $0.step == step }
    }

    /// The latest day of a recorded step, or nil before any.
    public var lastStepDate: LocalDate? { steps.map(\.doneOn).max() }
}

/// The rules of the dated steps after the subscription: the dates they may carry, the deadlines
/// they set, the mortgage amounts they accept and the area a contract is priced on.
public enum DealStepRules {
    /// Days after the subscription the purchase contract is to be signed by (the contract deadline).
    public static let contractSigningDays = 30
    /// Days after the area settlement a positive settlement is due.
    public static let areaSettlementDueDays = 30
    /// Days after the mortgage application the documents the lender asks for are due.
    public static let mortgageDocumentsDays = 7
    /// The longest loan term, in months (30 years).
    public static let maximumTermMonths = 360

    /// The rules for a step's `date` (and the contract's `filedOn`): not after `today` (a step is
    /// recorded once it is done) and not before `notBefore` (the subscription, or the latest step
    /// recorded: the steps happen in order), which `what` names in the message.
    public static func dateViolations(_ date: LocalDate, field: String = "date", today: LocalDate, notBefore: LocalDate?,
                                      what: String = "the deal's previous step") -> [FieldViolation] {
        if date > today { return [FieldViolation(field: field, message: "must not be after today, \(today)")] }
        if let notBefore, date < notBefore {
            return [FieldViolation(field: field, message: "must not be before \(notBefore), \(what)")]
        }
        return []
    }

    /// What the lenders are to pay on the deal: the current loan lines of the schedule together.
    public static func loanTotal(_ lines: [ReceivableLine]) -> Money {
        lines.filter { $0.kind.payer != .buyer }.reduce(Money.zero) { $0 + $1.amount }
    }

    /// The rule for the mortgage amounts (applied for, approved, arrived): exactly what the payment
    /// schedule's loan lines expect. Another amount needs a change of the payment terms first (which
    /// regenerates the schedule), so that the schedule and the loan never disagree.
    public static func mortgageAmountViolation(_ amount: Money, field: String, lines: [ReceivableLine]) -> FieldViolation? {
        let expected = loanTotal(lines)
        return amount == expected ? nil
            : FieldViolation(field: field, message: "must be \(expected), the loans of the payment schedule (change the payment terms first)")
    }

    /// The area a room's contract is priced on: the area its unit price multiplies (built or
    /// internal, per the pricing basis: the actual area once surveyed, else the forecast); the built
    /// area for a room priced per unit. Nil when the room has no such area.
    public static func contractedArea(of room: RoomAttributes) -> Area? {
        room.areas.pricingArea(room.pricingBasis) ?? (room.pricingBasis == .unit ? room.areas.built : nil)
    }

    /// The area settlement of a room priced on `basis`, contracted on `contractedArea` at `finalPrice`
    /// (the contract's total price), surveyed at `actualArea`; nil for a room priced per unit, whose
    /// price does not depend on its area.
    ///
    /// - Throws: ``DealInputError`` (``AreaSettlement/compute(contractedArea:actualArea:price:bandBasisPoints:)``).
    public static func settlement(basis: PricingBasis, contractedArea: Area, actualArea: Area,
                                  finalPrice: Money) throws(DealInputError) -> AreaSettlement? {
        guard basis != .unit else { return nil }
        return try AreaSettlement.compute(contractedArea: contractedArea, actualArea: actualArea, price: .total(finalPrice))
    }
}

/// Free text of the deal steps: reference numbers (contract, filing, certificate), the bank's name
/// and notes.
public enum DealStepText {
    /// The longest contract, filing or certificate number, in Unicode scalars.
    public static let maximumReference = 64
    /// The longest bank name, in Unicode scalars.
    public static let maximumBank = 100
    /// The longest note, in Unicode scalars.
    public static let maximumNote = 500

    /// A reference number or name: 1 to `maximum` Unicode scalars, none a control character
    /// (U+0000–U+001F, U+007F–U+009F), not starting or ending with a space. (The OpenAPI pattern
    /// `^[^\x00-\x20\x7F-\x9F]([^\x00-\x1F\x7F-\x9F]{0,M-2}[^\x00-\x20\x7F-\x9F])?$` says the same.)
    public static func isReference(_ text: String, maximum: Int) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last, scalars.count <= maximum else { return false }
        return !scalars.contains(where: isControl) && first != " " && last != " "
    }

    /// A note: 1 to ``maximumNote`` Unicode scalars, no control characters but tab and line breaks.
    public static func isNote(_ text: String) -> Bool {
        let count = text.unicodeScalars.count
        return count >= 1 && count <= maximumNote && !text.unicodeScalars.contains { isControl($0) && !["\t", "\n", "\r"].contains($0) }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x1F || (0x7F...0x9F).contains(scalar.value)
    }
}
