import Foundation

/// A room's sales status (DOMAIN.md, "Inventory and sales control").
public enum RoomStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case notReleased = "not_released"
    case available
    case held
    case reserved
    case subscribed
    case contracted
    case handedOver = "handed_over"
    case leased

    /// Statuses in which a deal (or a lease) holds the room: at most one at a time.
    public var isTakenByDeal: Bool {
        switch self {
        case .reserved, .subscribed, .contracted, .handedOver, .leased: true
        case .notReleased, .available, .held: false
        }
    }
}

/// The business operations that change a room's status; nothing else does.
public enum SalesControlEvent: String, Sendable, Hashable, Codable, CaseIterable {
    /// The sales controller puts the room on sale.
    case release
    /// The sales controller takes an unsold room off sale.
    case withdraw
    /// Management keeps the room off sale for a while, with a reason.
    case hold
    /// Management ends a hold early.
    case releaseHold = "release_hold"
    /// A hold's expiry passed (background service).
    case holdExpired = "hold_expired"
    /// A customer paid an intent deposit.
    case reserve
    /// A reservation's expiry passed (background service).
    case reservationExpired = "reservation_expired"
    /// The subscription agreement is signed.
    case subscribe
    /// The purchase contract is signed.
    case contract
    /// The keys are handed over.
    case handOver = "hand_over"
    /// A deal is cancelled or terminated: the room is free again.
    case cancelDeal = "cancel_deal"
    /// A lease starts.
    case lease
    /// A lease ends.
    case endLease = "end_lease"

    /// The permission the operation needs (background events need none: the system acts).
    public var permission: Permission? {
        switch self {
        case .release, .withdraw: .roomsRelease
        case .hold, .releaseHold: .roomsHold
        case .holdExpired, .reservationExpired: nil
        case .reserve, .subscribe: .dealsCreate
        case .contract, .handOver: .dealsWrite
        case .cancelDeal: .dealsCancel
        case .lease, .endLease: .leasesWrite
        }
    }
}

/// Why a status change is refused.
public enum SalesControlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operation does not apply to a room in this status.
    case notAllowed(from: RoomStatus, event: SalesControlEvent)
    /// A parking space on shared land belongs to all owners and cannot be sold.
    case sharedLandParking

    public var description: String {
        switch self {
        case .notAllowed(let from, let event): "a room that is \(from.rawValue) cannot be given \(event.rawValue)"
        case .sharedLandParking: "a parking space on shared land cannot be released for sale"
        }
    }
}

/// The room-status state machine: the one place that says which operation moves a room from
/// which status to which. The data layer applies the result with a conditional update
/// (`... WHERE status = <from>`), so that two concurrent operations cannot both succeed.
public enum SalesControl {
    /// Every allowed transition: (from, event) → to.
    public static let transitions: [RoomStatus: [SalesControlEvent: RoomStatus]] = [
        .notReleased: [.release: .available],
        .available: [.withdraw: .notReleased, .hold: .held, .reserve: .reserved, .subscribe: .subscribed, .lease: .leased],
        .held: [.releaseHold: .available, .holdExpired: .available],
        .reserved: [.subscribe: .subscribed, .reservationExpired: .available, .cancelDeal: .available],
        .subscribed: [.contract: .contracted, .cancelDeal: .available],
        .contracted: [.handOver: .handedOver, .cancelDeal: .available],
        .handedOver: [:],
        .leased: [.endLease: .available],
    ]

    /// The status after `event`, or why it is refused.
    /// - Parameter onSharedLand: the room is a parking space on shared land (never for sale).
    public static func next(from status: RoomStatus, on event: SalesControlEvent,
                            onSharedLand: Bool = false) throws(SalesControlError) -> RoomStatus {
        if onSharedLand && event == .release { throw .sharedLandParking }
        guard let next = transitions[status]?[event] else { throw .notAllowed(from: status, event: event) }
        return next
    }

    /// The operations a room in this status accepts (for screens that offer only what is possible).
    public static func events(from status: RoomStatus) -> [SalesControlEvent] {
        SalesControlEvent.allCases.filter { transitions[status]?[$0] != nil }
    }
}
