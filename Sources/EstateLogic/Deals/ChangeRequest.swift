import Foundation

/// A special transaction on a deal (DOMAIN.md, "The sale, step by step"): recorded with its reason,
/// requester, approver and the deal's state before and after.
public enum ChangeRequestKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Move the deal to another room (prices recomputed, the old room released).
    case changeRoom = "change_room"
    /// Rename, add or remove a co-owner, or change the shares.
    case changeBuyers = "change_buyers"
    /// Change the discounts, and so the price (the schedule is regenerated).
    case changeDiscount = "change_discount"
    /// Change the payment method (the schedule is regenerated).
    case changePaymentMethod = "change_payment_method"
    /// Cancel the deal before its contract, with a refund.
    case cancellation
    /// Terminate the contracted deal, with a refund.
    case termination
    /// Agree a price below the room's floor price: approved before a reserved deal is subscribed at it.
    case priceApproval = "price_approval"

    /// The stages in which the change may be requested and executed:
    /// - change of room: reserved, subscribed (after the contract is filed, a new room is a new deal);
    /// - change of buyers: every stage up to the inspection (before the keys);
    /// - change of discount: subscribed, contracted (a price is agreed, no loan depends on it yet);
    /// - change of payment method: subscribed, contracted, and while a mortgage is applied for or
    ///   approved but its funds have not arrived (a refused loan); the deal then returns to contracted
    ///   (``DealFlow/stageAfterPaymentMethodChange(_:)``);
    /// - cancellation: ``DealFlow/cancellableStages``; termination: ``DealFlow/terminableStages``;
    /// - price approval: reserved (a deal subscribed directly cannot go below the floor).
    public var allowedStages: Set<DealStage> {
        switch self {
        case .changeRoom: [.reserved, .subscribed]
        case .priceApproval: [.reserved]
        case .changeBuyers: DealFlow.cancellableStages.union(DealFlow.terminableStages)
        case .changeDiscount: [.subscribed, .contracted]
        case .changePaymentMethod: [.subscribed, .contracted, .mortgageApplied, .mortgageApproved]
        case .cancellation: DealFlow.cancellableStages
        case .termination: DealFlow.terminableStages
        }
    }

    /// The deal step executing the change performs (`cancel`, `terminate`); nil for changes that keep
    /// the deal's stage.
    public var dealStep: DealStep? {
        switch self {
        case .cancellation: .cancel
        case .termination: .terminate
        case .changeRoom, .changeBuyers, .changeDiscount, .changePaymentMethod, .priceApproval: nil
        }
    }
}

/// Where a change request stands.
public enum ChangeRequestStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case approved
    case rejected
    case executed

    /// Rejected or executed: nothing more happens to it.
    public var isFinal: Bool { self == .rejected || self == .executed }
}

/// What is done to a change request (approving and rejecting need the approving permission).
public enum ChangeRequestAction: String, Sendable, Hashable, Codable, CaseIterable {
    case approve
    case reject
    case execute
}

/// Why a change request is refused. The API answers 409.
public enum ChangeRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The action does not apply to a request in this status.
    case notAllowed(from: ChangeRequestStatus, action: ChangeRequestAction)
    /// The change does not apply to a deal in this stage (checked when requested and again when executed).
    case kindNotAllowed(kind: ChangeRequestKind, stage: DealStage)

    public var description: String {
        switch self {
        case .notAllowed(let from, let action): "a \(from.rawValue) change request cannot be given \(action.rawValue)"
        case .kindNotAllowed(let kind, let stage): "a \(stage.rawValue) deal does not allow \(kind.rawValue)"
        }
    }
}

/// The change-request state machine: pending → approved → executed, or pending → rejected. Every
/// change is approved before it is executed (where a project's policy approves some automatically,
/// the data layer records that approval). An approved request that can no longer be executed (its
/// new room was sold meanwhile, its price changed, the deal moved on) is rejected with a note:
/// approved → rejected, which ends it and lets a new request of its kind be made.
public enum ChangeRequests {
    /// Every allowed transition: (from, action) → to.
    public static let transitions: [ChangeRequestStatus: [ChangeRequestAction: ChangeRequestStatus]] = [
        .pending: [.approve: .approved, .reject: .rejected],
        .approved: [.execute: .executed, .reject: .rejected],
        .rejected: [:],
        .executed: [:],
    ]

    /// The status after `action`, or why it is refused.
    public static func next(from status: ChangeRequestStatus, on action: ChangeRequestAction) throws(ChangeRequestError) -> ChangeRequestStatus {
        guard let next = transitions[status]?[action] else { throw .notAllowed(from: status, action: action) }
        return next
    }

    /// Refuses a change of `kind` for a deal in `stage` unless the kind allows that stage.
    public static func check(_ kind: ChangeRequestKind, at stage: DealStage) throws(ChangeRequestError) {
        guard kind.allowedStages.contains(stage) else { throw .kindNotAllowed(kind: kind, stage: stage) }
    }

    /// The changes a deal in `stage` may ask for (for screens that offer only what is possible).
    public static func kinds(at stage: DealStage) -> [ChangeRequestKind] {
        ChangeRequestKind.allCases.filter { $0.allowedStages.contains(stage) }
    }
}
