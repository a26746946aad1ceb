import Foundation

/// Where a deal stands: the last step it went through (DOMAIN.md, "The sale, step by step").
///
/// The forward path, in this order (``DealFlow/path(paymentMethod:)``): reserved (optional: a deal
/// may start at subscription), subscribed, contracted, the mortgage steps (mortgage methods only),
/// area settled, the handover steps (mortgage registration with a mortgage only), completed. A deal
/// ends early as cancelled (before the contract) or terminated (after it, before the keys).
public enum DealStage: String, Sendable, Hashable, Codable, CaseIterable {
    case reserved
    case subscribed
    case contracted
    case mortgageApplied = "mortgage_applied"
    case mortgageApproved = "mortgage_approved"
    case mortgageFundsArrived = "mortgage_funds_arrived"
    case areaSettled = "area_settled"
    case moveInNotified = "move_in_notified"
    case inspected
    case keysHandedOver = "keys_handed_over"
    case propertyHandedOver = "property_handed_over"
    case titleRegistered = "title_registered"
    case mortgageRegistered = "mortgage_registered"
    case completed
    /// Ended before the contract (cancellation, or an expired reservation): the room is free again.
    case cancelled
    /// Ended after the contract (termination): the room is free again.
    case terminated

    /// The mortgage steps' stages, which only deals paid with a mortgage go through.
    public var isMortgageStage: Bool {
        switch self {
        case .mortgageApplied, .mortgageApproved, .mortgageFundsArrived, .mortgageRegistered: true
        default: false
        }
    }

    /// Completed, cancelled or terminated: no step follows.
    public var isEnded: Bool { self == .completed || self == .cancelled || self == .terminated }

    /// The deal still holds its room (everything but cancelled and terminated): the one live deal of the room.
    public var holdsRoom: Bool { self != .cancelled && self != .terminated }

    /// The room's sales status while the deal is in this stage: reserved, subscribed, contracted (up to
    /// the inspection), handed over (from the keys on); available once the deal is cancelled or terminated.
    public var roomStatus: RoomStatus {
        switch self {
        case .reserved: .reserved
        case .subscribed: .subscribed
        case .contracted, .mortgageApplied, .mortgageApproved, .mortgageFundsArrived, .areaSettled, .moveInNotified, .inspected: .contracted
        case .keysHandedOver, .propertyHandedOver, .titleRegistered, .mortgageRegistered, .completed: .handedOver
        case .cancelled, .terminated: .available
        }
    }
}

/// A business event that moves a deal (`POST /v1/deals/{id}/<step>`).
public enum DealStep: String, Sendable, Hashable, Codable, CaseIterable {
    case reserve
    case subscribe
    case contract
    case applyForMortgage = "apply_for_mortgage"
    case approveMortgage = "approve_mortgage"
    case receiveMortgageFunds = "receive_mortgage_funds"
    case settleArea = "settle_area"
    case sendMoveInNotice = "send_move_in_notice"
    case inspect
    case handOverKeys = "hand_over_keys"
    case handOverToPropertyManagement = "hand_over_to_property_management"
    case registerTitle = "register_title"
    case registerMortgage = "register_mortgage"
    /// Closes a deal whose every receivable is collected or refunded (the data layer checks the balance).
    case complete
    /// Cancels a deal before its contract (an executed cancellation request).
    case cancel
    /// Terminates a contracted deal before the keys (an executed termination request).
    case terminate
    /// A reservation's expiry passed (background service): the deal ends as cancelled.
    case expireReservation = "expire_reservation"

    /// The stage the step leads to.
    public var stage: DealStage {
        switch self {
        case .reserve: .reserved
        case .subscribe: .subscribed
        case .contract: .contracted
        case .applyForMortgage: .mortgageApplied
        case .approveMortgage: .mortgageApproved
        case .receiveMortgageFunds: .mortgageFundsArrived
        case .settleArea: .areaSettled
        case .sendMoveInNotice: .moveInNotified
        case .inspect: .inspected
        case .handOverKeys: .keysHandedOver
        case .handOverToPropertyManagement: .propertyHandedOver
        case .registerTitle: .titleRegistered
        case .registerMortgage: .mortgageRegistered
        case .complete: .completed
        case .cancel, .expireReservation: .cancelled
        case .terminate: .terminated
        }
    }

    /// What the step's request carries (suggested body field names): every step after subscription
    /// is dated (`date`).
    public var requiredFields: [String] {
        switch self {
        case .reserve: ["roomId", "buyers", "deposit", "reservedUntil"]
        case .subscribe: ["buyers", "discountIds", "deposit", "terms"]
        case .contract: ["date", "contractNumber", "filingNumber"]
        case .applyForMortgage: ["date", "bank", "loanAmount", "termMonths"]
        case .approveMortgage: ["date", "approvedAmount"]
        case .receiveMortgageFunds: ["date", "amount"]
        case .settleArea: ["date", "actualArea"]
        case .sendMoveInNotice, .inspect, .handOverKeys, .handOverToPropertyManagement, .registerMortgage, .complete: ["date"]
        case .registerTitle: ["date", "certificateNumber"]
        case .cancel, .terminate: ["reason"]
        case .expireReservation: []
        }
    }

    /// The room's sales-control event the step causes, applied in the same transaction
    /// (``SalesControl/next(from:on:onSharedLand:)``); nil when the room's status stays.
    public var roomEvent: SalesControlEvent? {
        switch self {
        case .reserve: .reserve
        case .subscribe: .subscribe
        case .contract: .contract
        case .handOverKeys: .handOver
        case .cancel, .terminate: .cancelDeal
        case .expireReservation: .reservationExpired
        case .applyForMortgage, .approveMortgage, .receiveMortgageFunds, .settleArea, .sendMoveInNotice, .inspect,
             .handOverToPropertyManagement, .registerTitle, .registerMortgage, .complete: nil
        }
    }
}

/// What a deal needs to move on: the step, the stage it reaches, and what its request carries.
public struct NextDealStep: Sendable, Hashable {
    public var step: DealStep
    public var stage: DealStage
    public var requiredFields: [String]

    /// The next step `step`.
    public init(step: DealStep) {
        self.step = step
        self.stage = step.stage
        self.requiredFields = step.requiredFields
    }
}

/// A deal's state as the flow needs it: its stage, and its payment method (nil before subscription),
/// which says whether the mortgage steps belong to its path.
public struct DealProgress: Sendable, Hashable {
    public var stage: DealStage
    public var paymentMethod: PaymentMethod?

    /// A deal in `stage` paid by `paymentMethod`.
    public init(stage: DealStage, paymentMethod: PaymentMethod?) {
        self.stage = stage
        self.paymentMethod = paymentMethod
    }
}

/// Why a deal step is refused: it is not the deal's next step, nor a way out allowed at its stage.
/// The API answers 409.
public enum DealStepError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `step` does not apply to a deal in `stage` (nil: a new deal, which starts by reserve or
    /// subscribe); `expected` is what would apply.
    case notAllowed(stage: DealStage?, step: DealStep, expected: [DealStep])

    public var description: String {
        switch self {
        case .notAllowed(let stage, let step, let expected):
            let what = stage.map { "a \($0.rawValue) deal" } ?? "a new deal"
            let instead = expected.isEmpty ? "it takes no step" : "it takes \(expected.map(\.rawValue).joined(separator: " or "))"
            return "\(what) cannot be given \(step.rawValue): \(instead)"
        }
    }
}

/// The deal state machine: the one place that says which step follows which (DOMAIN.md, "The sale,
/// step by step"). Forward steps go one at a time along ``path(paymentMethod:)``; the ways out are
/// `cancel` (reserved, subscribed), `expireReservation` (reserved) and `terminate` (contracted up to
/// the inspection: once the keys are handed over the room cannot be returned to sale).
public enum DealFlow {
    /// The steps a new deal may start with: a reservation, or directly a subscription.
    public static let startingSteps: [DealStep] = [.reserve, .subscribe]

    /// The stages a deal may be cancelled in.
    public static let cancellableStages: Set<DealStage> = [.reserved, .subscribed]

    /// The stages a deal may be terminated in.
    public static let terminableStages: Set<DealStage> = [
        .contracted, .mortgageApplied, .mortgageApproved, .mortgageFundsArrived, .areaSettled, .moveInNotified, .inspected,
    ]

    /// The forward stages, reserved to completed, of a deal paid by `paymentMethod` (nil: not chosen
    /// yet, no mortgage steps).
    public static func path(paymentMethod: PaymentMethod?) -> [DealStage] {
        let mortgage = paymentMethod?.isMortgage ?? false
        return DealStage.allCases.filter { $0 != .cancelled && $0 != .terminated && (mortgage || !$0.isMortgageStage) }
    }

    /// The stage a new deal starts in, by `step` (`reserve` or `subscribe`).
    public static func start(by step: DealStep) throws(DealStepError) -> DealStage {
        guard startingSteps.contains(step) else { throw .notAllowed(stage: nil, step: step, expected: startingSteps) }
        return step.stage
    }

    /// The deal's next forward step, or nil once it has ended.
    public static func nextStep(of deal: DealProgress) -> NextDealStep? {
        guard !deal.stage.isEnded, let position = DealStage.allCases.firstIndex(of: deal.stage) else { return nil }
        // The first stage of the path after the current one, so that a stage off the path (a deal whose
        // payment method changed) still moves on.
        let allStages = DealStage.allCases
        guard let next = path(paymentMethod: deal.paymentMethod).first(where: { allStages.firstIndex(of: $0)! > position }) else {
            return nil
        }
        return NextDealStep(step: DealStep.allCases.first { $0.stage == next }!)
    }

    /// Every step a deal accepts now: the next forward step first, then the ways out (for screens that
    /// offer only what is possible).
    public static func allowedSteps(from deal: DealProgress) -> [DealStep] {
        var steps: [DealStep] = []
        if let next = nextStep(of: deal) { steps.append(next.step) }
        if cancellableStages.contains(deal.stage) { steps.append(.cancel) }
        if deal.stage == .reserved { steps.append(.expireReservation) }
        if terminableStages.contains(deal.stage) { steps.append(.terminate) }
        return steps
    }

    /// The stage after `step`, or why the step is refused.
    public static func transition(from deal: DealProgress, by step: DealStep) throws(DealStepError) -> DealStage {
        let allowed = allowedSteps(from: deal)
        guard allowed.contains(step) else { throw .notAllowed(stage: deal.stage, step: step, expected: allowed) }
        return step.stage
    }

    /// The stage a deal goes back to when its payment method changes: a deal in a mortgage stage before
    /// the funds arrived returns to contracted (a new mortgage is applied for, or none is needed); any
    /// other stage stays.
    public static func stageAfterPaymentMethodChange(_ stage: DealStage) -> DealStage {
        stage == .mortgageApplied || stage == .mortgageApproved ? .contracted : stage
    }
}
